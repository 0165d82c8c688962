// The playground survives what goes wrong inside it: a database worker that crashes is
// replaced by a new one on the database as it was last saved, and the page says so and keeps
// working, never ending in a dead tab.
//
// Builds nothing: it serves the release build in dist/ like the other browser tests.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { driver, freshPage, launch, serve } from './support.mjs';

let server;
let browser;

before(async () => {
    server = await serve();
    browser = await launch();
});

after(async () => {
    await browser?.close();
    await server?.close();
});

test('a worker that panics is restarted on the saved database and the page keeps working', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    // `?test-hooks` gives the test a way to make the worker panic (window.strataCrashWorker).
    await page.goto(`${server.base}?test-hooks`);
    await ui.settled();
    await ui.runSql("INSERT INTO users (email, display_name) VALUES ('kept@example.com', 'Kept');");
    const users = await ui.tableRows('users');

    await page.evaluate(() => window.strataCrashWorker());
    const error = await page.waitForSelector('[data-testid="error"]', { timeout: 20_000 });
    assert.match(await error.textContent(),
        /crashed \(.*a test asked the database worker to crash.*\) and was restarted on the database as it was last saved/s);
    await ui.settled();

    // The new worker holds the saved database, not an empty one in memory.
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await ui.tableRows('users'), users);
    assert.match(await ui.gridText(), /kept@example\.com/);
    // And it answers: the console runs, the page is not stuck busy.
    await ui.runSql('SELECT count(*) AS n FROM users');
    // The result grid's text is its header `n` followed by the count.
    assert.equal((await page.textContent('[data-testid="console-result"]')).replace(/\s+/g, ''), `n${users}`);
    await context.close();
});

test('a worker that keeps crashing stops being restarted and the page says so', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(`${server.base}?test-hooks`);
    await ui.settled();
    // Three restarts are allowed within a minute; the fourth crash is final.
    for (let i = 0; i < 3; i++) {
        await page.evaluate(() => window.strataCrashWorker());
        await page.waitForSelector('[data-testid="error"]');
        await ui.settled();
    }
    await page.evaluate(() => window.strataCrashWorker());
    await page.waitForSelector('.fatal [data-testid="error"]', { timeout: 20_000 });
    assert.match(await page.textContent('.fatal [data-testid="error"]'), /failed again each time it was restarted; reload the page/);
    // A reload recovers: the database was never damaged.
    await page.reload();
    await ui.settled();
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    await context.close();
});
