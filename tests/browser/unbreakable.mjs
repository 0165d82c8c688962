// Nothing a visitor types, opens from a link or finds in the browser's storage can leave the
// playground unusable (issue 17 §1 and §2): console edits that once made the saved database
// unreadable, a TEMP trigger waiting for the next migration, garbage in the stored file, a worker
// that panics while it opens the database, endless queries in the console and in a share link's
// revisions, a reload while the worker is busy, and a tiny link that inflates to a huge model.
//
// Builds nothing: it serves the release build in dist/ like the other browser tests.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
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

/** A query that never ends on its own: it counts an endless recursive sequence. */
const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

/** A share link for a project value, as the playground's own Share link makes it. */
function linkFor(project) {
    const packed = deflateSync(Buffer.from(JSON.stringify(project)), { level: 9 });
    return `${server.base}#project=${packed.toString('base64url')}`;
}

/** A revision file in strata's format. */
function revision(id, parents, message, up, down) {
    return `-- strata revision\n-- id: ${id}\n-- parents:${parents ? ` ${parents}` : ''}\n-- message: ${message}\n` +
        `-- created: 2026-02-01T10:00:00Z\n\n-- +up\n${up}\n\n-- +down\n${down}\n`;
}

/** A project with a notes table (applied, one row) and a second revision whose up never ends. */
function endlessProject(applied) {
    const model = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n';
    return {
        format: 'strata-project/1',
        language: 'sql',
        model,
        revisions: [
            revision('0001', '', 'notes', model.trim(), 'DROP TABLE notes;'),
            revision('0002', '0001', 'count forever', `INSERT INTO notes (body) SELECT n FROM (${ENDLESS.replace('count(*)', 'count(*) AS n')});`,
                "DELETE FROM notes WHERE body <> 'kept';"),
        ],
        applied,
        data: "INSERT INTO notes (body) VALUES ('kept');",
    };
}

/**
 * Overwrites the start of the saved database (inside the OPFS pool of sqlite-wasm-vfs's sahpool,
 * whose files keep their name in a 4096-byte header before the database's own bytes) with
 * `garbage`, from a page of the same origin that holds no database. Returns when written.
 * With `pagesFromEnd`, the garbage goes that many 4096-byte pages before the file's end instead,
 * deep in the database where opening it reads nothing.
 */
async function corruptStoredDatabase(page, garbage, { pagesFromEnd = 0 } = {}) {
    await page.goto(`${server.base}no-playground-here`);
    await page.evaluate(async ([bytes, pagesFromEnd]) => {
        const root = await navigator.storage.getDirectory();
        const pool = await (await root.getDirectoryHandle('.opfs-sahpool')).getDirectoryHandle('.opaque');
        for (let attempt = 0; ; attempt++) {
            try {
                for await (const [, handle] of pool.entries()) {
                    const file = await handle.getFile();
                    const name = new TextDecoder().decode(new Uint8Array(await file.slice(0, 512).arrayBuffer()));
                    if (!name.startsWith('/strata.sqlite3\0')) continue;
                    const position = pagesFromEnd ? file.size - pagesFromEnd * 4096 : 4096;
                    const writable = await handle.createWritable({ keepExistingData: true });
                    await writable.write({ type: 'write', position, data: new Uint8Array(bytes) });
                    await writable.close();
                    return;
                }
                throw new Error('no saved database in the pool');
            } catch (e) {
                // The worker of the page just left may still hold the file for a moment.
                if (attempt > 50) throw e;
                await new Promise((ok) => setTimeout(ok, 100));
            }
        }
    }, [Array.from(garbage), pagesFromEnd]);
}

/**
 * Overwrites the start of the pool file that holds the saved database (its 4096-byte header,
 * where sqlite-wasm-vfs's sahpool keeps the file's name, not the database's own bytes) with
 * `garbage`, so the pool itself no longer installs. Returns when written.
 */
async function corruptPoolHeader(page, garbage) {
    await page.goto(`${server.base}no-playground-here`);
    await page.evaluate(async (bytes) => {
        const root = await navigator.storage.getDirectory();
        const pool = await (await root.getDirectoryHandle('.opfs-sahpool')).getDirectoryHandle('.opaque');
        for (let attempt = 0; ; attempt++) {
            try {
                for await (const [, handle] of pool.entries()) {
                    const file = await handle.getFile();
                    const name = new TextDecoder().decode(new Uint8Array(await file.slice(0, 512).arrayBuffer()));
                    if (!name.startsWith('/strata.sqlite3\0')) continue;
                    const writable = await handle.createWritable({ keepExistingData: true });
                    await writable.write({ type: 'write', position: 0, data: new Uint8Array(bytes) });
                    await writable.close();
                    return;
                }
                throw new Error('no saved database in the pool');
            } catch (e) {
                // The worker of the page just left may still hold the file for a moment.
                if (attempt > 50) throw e;
                await new Promise((ok) => setTimeout(ok, 100));
            }
        }
    }, Array.from(garbage));
}

/** Bytes that are no SQLite database: not even its 16-byte header. */
const GARBAGE = Buffer.from('this is not a database, it is a note that was written over the file. '.repeat(80));

/**
 * Puts `text` in the model editor as one edit. (Playwright's fill types long text in a way that
 * takes it tens of seconds for thousands of lines, whatever the page does.)
 */
async function setModel(page, text) {
    await page.evaluate((text) => {
        const editor = document.querySelector('[data-testid="model-editor"]');
        editor.value = text;
        editor.dispatchEvent(new InputEvent('input', { bubbles: true }));
    }, text);
}

/** The damaged database's panel: its message, or null when the page shows none. */
async function damagedMessage(page) {
    const panel = await page.$('[data-testid="damaged"]');
    return panel && (await panel.textContent());
}

test('console edits that once made the saved database unreadable leave a working playground after a reload', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();

    await ui.runSql('CREATE TABLE café (x TEXT); INSERT INTO café VALUES (\'crème\');');
    await page.reload();
    await ui.settled();
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await ui.tableRows('café'), 1);

    // Changing the schema's text behind SQLite's back is refused before anything runs.
    await ui.runSql("PRAGMA writable_schema=1; UPDATE sqlite_schema SET sql='CREATE TABLE users (broken' WHERE name='users';");
    assert.match(await page.textContent('[data-testid="error"]'), /writable_schema.*nothing was run/);
    await page.reload();
    await ui.settled();
    assert.equal(await damagedMessage(page), null);
    assert.equal(await ui.tableRows('users'), 4);
    await ui.runSql('SELECT count(*) AS n FROM users');
    assert.equal((await page.textContent('[data-testid="console-result"]')).replace(/\s+/g, ''), 'n4');
    assert.deepEqual(errors, []);
    await context.close();
});

test('a TEMP trigger made in the console never fires during a migration', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    // The trigger would empty users as soon as a migration writes its version row.
    await ui.runSql('CREATE TEMP TRIGGER wipe AFTER DELETE ON main.schema_version BEGIN DELETE FROM main.users; END;');
    await page.click('[data-testid="downgrade-one"]');
    const question = await page.waitForSelector('[data-testid="confirm-downgrade-yes"]', { timeout: 5_000 }).catch(() => null);
    if (question) await question.click();
    await ui.settled();
    assert.deepEqual(await ui.versions(), ['0001']);
    assert.equal(await ui.tableRows('users'), 4, 'the TEMP trigger did not outlive its console script');
    await context.close();
});

test('garbage in the stored database: the page opens, says what is wrong, and offers the raw file, a backup and Reset', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    await ui.runSql("INSERT INTO users (email, display_name) VALUES ('backed@example.com', 'Backed');");
    await ui.click('backup-now');
    const [id] = await page.$$eval('[data-testid^="backup-"]:not([data-testid="backup-now"])',
        (items) => items.map((li) => li.dataset.testid.slice('backup-'.length)));
    assert.ok(id, 'a backup is listed');

    await corruptStoredDatabase(page, GARBAGE);
    await page.goto(server.base);
    await ui.settled();
    const message = await damagedMessage(page);
    assert.ok(message, 'the page shows the damaged database panel');
    assert.match(message, /saved database cannot be opened.*not a database/s);
    assert.match(await page.textContent('[data-testid="damaged"] [data-testid="error"]'), /not a database/);
    // Still "saved in this browser": the file is there, only unreadable.
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');

    // The raw file downloads as it is stored, garbage and all.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="damaged-download"]')]);
    const raw = readFileSync(await download.path());
    assert.ok(raw.subarray(0, GARBAGE.length).equals(GARBAGE), 'the download is the stored file byte for byte');

    // The backup taken before is offered and brings the work back.
    await ui.click(`restore-${id}`);
    await ui.click('confirm-restore-yes');
    assert.equal(await damagedMessage(page), null);
    assert.equal(await ui.tableRows('users'), 5);
    await ui.runSql("SELECT display_name FROM users WHERE email = 'backed@example.com'");
    assert.match(await page.textContent('[data-testid="console-result"]'), /Backed/);
    await page.reload();
    await ui.settled();
    assert.equal(await ui.tableRows('users'), 5);

    // Damaged again, Reset starts over from the demo, and that survives a reload too.
    await corruptStoredDatabase(page, GARBAGE);
    await page.goto(server.base);
    await ui.settled();
    assert.ok(await damagedMessage(page));
    await ui.click('damaged-reset');
    assert.equal(await damagedMessage(page), null);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    await page.reload();
    await ui.settled();
    assert.equal(await ui.tableRows('users'), 4);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await context.close();
});

test('garbage in the storage pool\'s own header: the page says the storage is damaged, offers the bytes, a backup and Reset, and a reload finds a saved database', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    await ui.runSql("INSERT INTO users (email, display_name) VALUES ('pooled@example.com', 'Pooled');");
    await ui.click('backup-now');
    const [id] = await page.$$eval('[data-testid^="backup-"]:not([data-testid="backup-now"])',
        (items) => items.map((li) => li.dataset.testid.slice('backup-'.length)));
    assert.ok(id, 'a backup is listed');

    await corruptPoolHeader(page, GARBAGE.subarray(0, 600));
    const opened = Date.now();
    await page.goto(server.base);
    await ui.settled();
    // Damage is not waited out as if another tab held the files.
    assert.ok(Date.now() - opened < 5_000, `opened in ${Date.now() - opened} ms`);
    const message = await damagedMessage(page);
    assert.ok(message, 'the page shows the damaged database panel');
    assert.match(message, /browser storage that holds it is damaged: invalid header/);
    assert.doesNotMatch(message, /another tab/);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');

    // The database's own bytes, behind the damaged header, download as a database.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="damaged-download"]')]);
    const raw = readFileSync(await download.path());
    assert.equal(raw.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    assert.match(raw.toString('latin1'), /pooled@example\.com/);

    // The backups survived in their own file: the one taken before brings the work back.
    await ui.click(`restore-${id}`);
    await ui.click('confirm-restore-yes');
    assert.equal(await damagedMessage(page), null);
    assert.equal(await ui.tableRows('users'), 5);
    await page.reload();
    await ui.settled();
    assert.equal(await damagedMessage(page), null);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await ui.tableRows('users'), 5);
    assert.ok(await page.$(`[data-testid="backup-${id}"]`), 'the backup is still kept');

    // Damaged again, Reset starts over from the demo on a pool installed afresh.
    await corruptPoolHeader(page, GARBAGE.subarray(0, 600));
    await page.goto(server.base);
    await ui.settled();
    assert.match(await damagedMessage(page), /browser storage that holds it is damaged/);
    await ui.click('damaged-reset');
    assert.equal(await damagedMessage(page), null);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    await page.reload();
    await ui.settled();
    assert.equal(await damagedMessage(page), null);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await ui.tableRows('users'), 4);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await context.close();
});

test('garbage deep in the stored database, past what opening reads: the page says it is damaged and the repairs work', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    // A table of many pages, written last, so the file's last pages are its leaves.
    await ui.runSql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); " +
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) " +
        "INSERT INTO notes (body) SELECT printf('%.200c', 'x') || i FROM n;");
    assert.equal(await ui.tableRows('notes'), 2000);

    await corruptStoredDatabase(page, GARBAGE.subarray(0, 4096), { pagesFromEnd: 3 });
    await page.goto(server.base);
    await ui.settled();
    const message = await damagedMessage(page);
    assert.ok(message, 'the page shows the damaged database panel');
    assert.match(message, /saved database cannot be opened \(it is damaged/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="damaged-download"]')]);
    const raw = readFileSync(await download.path());
    assert.equal(raw.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    assert.ok(raw.includes(GARBAGE.subarray(0, 4096)), 'the download is the stored file, damage and all');

    await ui.click('damaged-reset');
    assert.equal(await damagedMessage(page), null);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    await page.reload();
    await ui.settled();
    assert.equal(await damagedMessage(page), null);
    assert.equal(await ui.tableRows('users'), 4);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await context.close();
});

test('a second tab, whose pool another tab holds, is told so and is not shown a damaged database', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    const second = await context.newPage();
    await second.goto(server.base);
    await driver(second).settled();
    assert.equal(await second.textContent('[data-testid="storage"]'), 'in memory only');
    assert.match(await second.getAttribute('[data-testid="storage"]', 'title'), /another tab of the playground probably holds the saved database/);
    assert.equal(await damagedMessage(second), null);
    // The first tab still holds and saves the database.
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await damagedMessage(page), null);
    await context.close();
});

test('a worker that panics while it opens the saved database is followed by one that offers the repairs', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    // `?test-hooks=panic-on-open` makes the first worker panic while it opens the database.
    await page.goto(`${server.base}?test-hooks=panic-on-open`);
    await ui.settled();
    const message = await damagedMessage(page);
    assert.ok(message, 'the page shows the damaged database panel');
    assert.match(message, /a test asked the database worker to panic while it opened the database/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="damaged-download"]')]);
    assert.equal(readFileSync(await download.path()).subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    // Reopening without the hook finds the database as it was.
    await page.goto(server.base);
    await ui.settled();
    assert.equal(await damagedMessage(page), null);
    assert.equal(await ui.tableRows('users'), 4);
    await context.close();
});

test('an endless console query shows that it runs; Cancel rolls it back and the console works', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    const users = await ui.tableRows('users');

    await page.fill('[data-testid="console-input"]', `DELETE FROM identities; DELETE FROM users; ${ENDLESS};`);
    await page.click('[data-testid="console-run"]');
    const running = await page.waitForSelector('[data-testid="running"]', { timeout: 5_000 });
    assert.match(await running.textContent(), /Running/);
    await page.waitForTimeout(1_500);
    await page.click('[data-testid="cancel"]');
    await ui.settled();
    assert.match(await page.textContent('[data-testid="error"]'), /Cancelled.*rolled back/);
    assert.equal(await page.$('[data-testid="running"]'), null);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await ui.tableRows('users'), users, 'the deletes before the endless query were rolled back');
    await ui.runSql('SELECT count(*) AS n FROM users');
    assert.equal((await page.textContent('[data-testid="console-result"]')).replace(/\s+/g, ''), `n${users}`);
    await context.close();
});

test('an endless revision from a share link: its load runs out of time, its upgrade can be cancelled', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    // Applied on load, the endless revision would run as the link opens: the time budget stops it.
    await page.goto(linkFor(endlessProject('head')));
    await ui.settled();
    assert.match(await page.textContent('[data-testid="error"]'), /took longer than \d+ s.*nothing was changed/);
    assert.deepEqual(await ui.versions(), ['0001', '0002'], 'the demo is left as it was');

    // Loaded pending, it runs when the visitor upgrades, and Cancel stops it.
    await page.goto(linkFor(endlessProject('0001')));
    await page.reload();
    await ui.settled();
    assert.deepEqual(await ui.versions(), ['0001']);
    assert.equal(await ui.tableRows('notes'), 1);
    await page.click('[data-testid="upgrade-head"]');
    await page.waitForSelector('[data-testid="running"]', { timeout: 5_000 });
    await page.waitForTimeout(1_000);
    await page.click('[data-testid="cancel"]');
    await ui.settled();
    assert.match(await page.textContent('[data-testid="error"]'), /Cancelled/);
    assert.deepEqual(await ui.versions(), ['0001']);
    assert.deepEqual(await ui.nodes(), [['0001', 'applied'], ['0002', 'pending']]);
    assert.equal(await ui.tableRows('notes'), 1);
    await ui.runSql("INSERT INTO notes (body) VALUES ('after');");
    assert.equal(await ui.tableRows('notes'), 2);
    await context.close();
});

test('a reload while the worker is busy finds the visitor\'s database, not one in memory', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    await ui.runSql("INSERT INTO users (email, display_name) VALUES ('mine@example.com', 'Mine');");
    await page.fill('[data-testid="console-input"]', `${ENDLESS};`);
    await page.click('[data-testid="console-run"]');
    await page.waitForTimeout(1_500);
    await page.reload();
    await ui.settled();
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await ui.tableRows('users'), 5);
    assert.match(await ui.gridText(), /mine@example\.com/);
    await context.close();
});

test('a 3 KB link whose model is a million blank lines is refused as too large, at once', async () => {
    const project = { ...endlessProject('base'), revisions: [], data: '', model: '\n'.repeat(1_000_000) };
    const link = linkFor(project);
    assert.ok(link.length < 4_000, `the link is small (${link.length} characters)`);
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    const started = Date.now();
    await page.goto(link);
    await ui.settled();
    const error = page.locator('[data-testid="error"]');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /too large.*1,000,001 lines.*at most 10,000.*nothing was changed/);
    console.log(`# million-line link refused in ${Date.now() - started} ms (page load included)`);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    assert.ok((await ui.model()).length < 10_000, 'the editor keeps the demo model');
    await context.close();
});

test('the model editor keeps one gutter element however long the model, and refuses what is too large', async () => {
    const { context, page } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
    const big = Array.from({ length: 9_000 }, (_, i) => `CREATE TABLE t${i} (id INTEGER PRIMARY KEY);`).join('\n');
    await setModel(page, big);
    await ui.settled();
    const gutter = await page.$eval('.editor-wrap .gutter', (g) => ({ elements: g.querySelectorAll('*').length, text: g.textContent }));
    assert.ok(gutter.elements <= 1, `the gutter is text, not an element per line (${gutter.elements})`);
    assert.match(gutter.text, /\n9000\n?$/);
    // Figures, not a timed assertion: how long one keystroke takes to reach the page.
    const keystroke = await page.evaluate(async () => {
        const editor = document.querySelector('[data-testid="model-editor"]');
        const start = performance.now();
        editor.value += ' ';
        editor.dispatchEvent(new InputEvent('input', { bubbles: true }));
        await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
        return performance.now() - start;
    });
    console.log(`# one keystroke in a 9,000-line model: ${keystroke.toFixed(1)} ms to the next frame`);

    // Past the limit, Autogenerate says so instead of working on it.
    await setModel(page, `${big}\n${'\n'.repeat(2_000)}`);
    await ui.click('autogenerate');
    assert.match(await page.textContent('[data-testid="error"]'), /model is too large \(11,001 lines, \d+ KiB; the playground takes at most 10,000 lines/);
    await context.close();
});
