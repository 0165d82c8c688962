// A first visit is usable before the database worker is up (issue 15): the page draws the
// demo from the build's answer to Open while the worker's module is still downloading, what is
// typed and pressed meanwhile is kept and answered once the worker is up, and a later visit,
// whose saved database may differ from the demo, waits for the worker instead.
//
// Run: node --test tests/browser/firstvisit.mjs   (serves dist/, as run.mjs does)

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

const app = (page) => page.$eval('.app', (el) => ({ ...el.dataset }));

test('a first visit shows the demo and takes edits and clicks while the worker\'s module is still on its way', async () => {
    const { context, page, errors } = await freshPage(browser);
    // The worker's module is held back until the visitor has typed and clicked: the page must
    // be usable on its own module alone, as on a slow link where the worker's arrives last.
    let release;
    const released = new Promise((ok) => { release = ok; });
    await page.route('**/strata-worker_bg.wasm', async (route) => {
        await released;
        await route.continue();
    });
    await page.goto(server.base);
    await page.waitForSelector('.app[data-interactive="true"]', { timeout: 30_000 });
    assert.deepEqual(await app(page), { interactive: 'true', ready: 'false' });
    assert.equal(await page.textContent('[data-testid="storage"]'), 'opening…');
    const ui = driver(page);
    assert.deepEqual(await ui.nodes(), [['0001', 'applied'], ['0002', 'applied']]);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    assert.equal(await page.getAttribute('[data-testid="diagram-users"]', 'data-mark'), 'same');
    assert.equal(await ui.tableRows('users'), 4);

    // The visitor edits the model and presses Autogenerate before the worker is up: the
    // request waits, and the page says it is not done.
    const model = await ui.model();
    await page.fill('[data-testid="model-editor"]',
        model.replace('display_name TEXT NOT NULL,', 'display_name TEXT NOT NULL,\n    phone TEXT,'));
    assert.equal(await page.isDisabled('[data-testid="autogenerate"]'), false);
    await page.click('[data-testid="autogenerate"]');
    assert.deepEqual(await app(page), { interactive: 'false', ready: 'false' });

    release();
    await ui.settled();
    assert.match(await page.textContent('[data-testid="migration-up-sql"]'), /ALTER TABLE "users" ADD COLUMN "phone" TEXT/);
    assert.match(await ui.model(), /phone TEXT/, 'the worker\'s answer to Open kept what was typed');
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');

    // A reload finds the saved database (with the typed model kept), so it waits for the worker
    // rather than showing the demo as the build made it.
    await page.unroute('**/strata-worker_bg.wasm');
    let hold;
    const held = new Promise((ok) => { hold = ok; });
    await page.route('**/strata-worker_bg.wasm', async (route) => {
        await held;
        await route.continue();
    });
    await page.reload();
    await page.waitForSelector('.app');
    assert.deepEqual(await app(page), { interactive: 'false', ready: 'false' });
    assert.equal(await page.textContent('[data-testid="loading"]'), 'Opening the database…');
    hold();
    await ui.settled();
    assert.match(await ui.model(), /phone TEXT/);
    assert.deepEqual(errors, []);
    await context.close();
});
