// A damaged browser storage pool, beyond what unbreakable.mjs covers (issue 17 §1): a repair
// that cannot be saved because the pool cannot be wiped or installed again (a file held open by
// another worker, the real way; a test hook for an install that fails after the wipe) keeps
// the page usable, says truly that the work is not saved and why, and deletes nothing the
// visitor had stored; and a backup store whose own name header is garbage is still recognised
// and its backups offered.
//
// Builds nothing: it serves the release build in dist/ like the other browser tests.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

/** The files of the OPFS pool (sqlite-wasm-vfs's sahpool), as run in a page of the origin. */
const POOL = `async function poolFiles() {
    const root = await navigator.storage.getDirectory();
    return (await root.getDirectoryHandle('.opfs-sahpool')).getDirectoryHandle('.opaque');
}
async function slotNamed(name) {
    for await (const [, handle] of (await poolFiles()).entries()) {
        const file = await handle.getFile();
        const header = new TextDecoder().decode(new Uint8Array(await file.slice(0, 512).arrayBuffer()));
        if (header.startsWith(name + '\\0')) return handle;
    }
    throw new Error('no file named ' + name + ' in the pool');
}`;

/**
 * Writes garbage over the name header of the pool files named `names` (the 512 bytes where the
 * pool keeps each file's name), from a page of the origin that holds no database, so the pool
 * no longer installs. Returns when written.
 */
async function garbleNames(page, names) {
    await page.goto(`${server.base}no-playground-here`);
    await page.evaluate(async ([pool, names]) => {
        const { slotNamed } = new Function(`${pool}; return { slotNamed };`)();
        const garbage = new TextEncoder().encode('not a name, garbage over the header. '.repeat(14)).slice(0, 512);
        for (let attempt = 0; ; attempt++) {
            try {
                for (const name of names) {
                    const writable = await (await slotNamed(name)).createWritable({ keepExistingData: true });
                    await writable.write({ type: 'write', position: 0, data: garbage });
                    await writable.close();
                }
                return;
            } catch (e) {
                // The worker of the page just left may still hold the files for a moment.
                if (attempt > 50) throw e;
                await new Promise((ok) => setTimeout(ok, 100));
            }
        }
    }, [POOL, names]);
}

/** A saved database with a row of the visitor's and a backup of it taken by hand. */
async function savedWork(page, ui, email) {
    await page.goto(server.base);
    await ui.settled();
    await ui.runSql(`INSERT INTO users (email, display_name) VALUES ('${email}', 'Mine');`);
    await ui.click('backup-now');
}

/** The backups the page lists, as their label lines. */
const backupLabels = (page) => page.$$eval('.backup-list .label', (labels) => labels.map((l) => l.textContent));

/** The damaged panel's message, or null. */
async function damagedMessage(page) {
    const panel = await page.$('[data-testid="damaged"]');
    return panel && (await panel.textContent());
}

/** The raw saved database the damaged panel downloads. */
async function downloaded(page) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="damaged-download"]')]);
    return readFileSync(await download.path());
}

test('a repair over a damaged pool whose files another worker holds stays in the tab, says why, and deletes nothing', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await savedWork(page, ui, 'held@example.com');
    await garbleNames(page, ['/strata.sqlite3']);
    await page.goto(server.base);
    await ui.settled();
    assert.ok(await damagedMessage(page), 'the page shows the damaged panel');
    assert.ok((await downloaded(page)).includes('held@example.com'));

    // Another worker of the origin holds one of the pool's files open, so the pool's files
    // cannot be removed: the browser refuses the whole removal.
    const other = await context.newPage();
    await other.goto(`${server.base}no-playground-here`);
    await other.evaluate(async (pool) => {
        const source = `${pool}
            onmessage = async () => { self.handle = await (await slotNamed('/strata-backups.sqlite3')).createSyncAccessHandle(); postMessage('held'); };`;
        window.holder = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
        await new Promise((ok) => { window.holder.onmessage = ok; window.holder.postMessage('hold'); });
    }, POOL);

    await ui.click('damaged-reset');
    const error = await page.textContent('[data-testid="error"]');
    assert.match(error, /the repair was made in this tab only and is not saved: the browser storage could not be prepared for it: .*NoModificationAllowedError/);
    assert.match(error, /the saved database was left as it was; export the project or download the database before you leave/);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'in memory only');
    assert.match(await page.getAttribute('[data-testid="storage"]', 'title'), /not saved.*lost when this tab is closed or reloaded/);
    // The page works, on the demo the Reset made in memory.
    assert.equal(await damagedMessage(page), null);
    await ui.runSql('SELECT count(*) AS n FROM users');
    assert.equal((await page.textContent('[data-testid="console-result"]')).replace(/\s+/g, ''), 'n4');

    // Nothing stored was deleted: once the other worker lets go, a new page finds the damaged
    // pool as it was, the visitor's row in its bytes and the backup listed.
    await other.close();
    await page.goto(`${server.base}no-playground-here`);
    await page.goto(server.base);
    await ui.settled();
    assert.ok(await damagedMessage(page), 'still the damaged panel');
    assert.ok((await downloaded(page)).includes('held@example.com'));
    assert.deepEqual(await backupLabels(page), ['taken by hand']);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await context.close();
});

test('a repair whose pool cannot be installed again after the wipe puts the pool back, says so, and a later repair saves', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await savedWork(page, ui, 'wiped@example.com');
    await garbleNames(page, ['/strata.sqlite3']);
    // `?test-hooks=reinstall-fails` makes installing the pool fail once its files are removed.
    await page.goto(`${server.base}?test-hooks=reinstall-fails`);
    await ui.settled();
    assert.ok(await damagedMessage(page));

    await ui.click('damaged-reset');
    const error = await page.textContent('[data-testid="error"]');
    assert.match(error, /the repair was made in this tab only and is not saved: the browser storage cannot be started again \(a test asked it to fail\); the saved database's files were put back as they were/);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'in memory only');
    assert.deepEqual(await ui.versions(), ['0001', '0002'], 'the page works on the Reset made in memory');

    // The pool is back as it was: the damaged panel again, with the visitor's bytes and backup.
    await page.goto(`${server.base}no-playground-here`);
    await page.goto(server.base);
    await ui.settled();
    assert.ok(await damagedMessage(page), 'still the damaged panel');
    assert.ok((await downloaded(page)).includes('wiped@example.com'));
    assert.deepEqual(await backupLabels(page), ['taken by hand']);

    // Without the failure the repair is saved, and the backup kept.
    await ui.click('damaged-reset');
    assert.equal(await damagedMessage(page), null);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    await page.reload();
    await ui.settled();
    assert.equal(await ui.tableRows('users'), 4);
    assert.ok((await backupLabels(page)).includes('taken by hand'));
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await context.close();
});

test('a backup store whose name header is garbage is recognised by what it holds and its backups restore', async () => {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await savedWork(page, ui, 'unnamed@example.com');
    // Both names garbage: before, the first file that began as a database was taken for the
    // saved database (the backup store, if it came first) and the backups were not offered.
    await garbleNames(page, ['/strata-backups.sqlite3', '/strata.sqlite3']);
    await page.goto(server.base);
    await ui.settled();
    assert.ok(await damagedMessage(page), 'the page shows the damaged panel');
    assert.ok((await downloaded(page)).includes('unnamed@example.com'), 'the download is the saved database');
    assert.deepEqual(await backupLabels(page), ['taken by hand'], 'the backup is offered under its own label');

    const [id] = await page.$$eval('[data-testid^="restore-"]', (buttons) => buttons.map((b) => b.dataset.testid.slice('restore-'.length)));
    await ui.click(`restore-${id}`);
    await ui.click('confirm-restore-yes');
    assert.equal(await damagedMessage(page), null);
    await page.reload();
    await ui.settled();
    assert.equal(await ui.tableRows('users'), 5);
    assert.match(await ui.gridText(), /unnamed@example\.com/);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await context.close();
});
