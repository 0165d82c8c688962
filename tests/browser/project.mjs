// End-to-end tests of the playground's project import/export in headless Chromium: the project
// file, the .sqlite file (which becomes the baseline), the share link, bad inputs of each kind,
// and backups. Run against a release build: STRATA_DIST=... node --test tests/browser/project.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { driver, freshPage, launch, serve } from './support.mjs';

let server;
let browser;
let page;
let ui;
const pageErrors = [];

before(async () => {
    server = await serve();
    browser = await launch();
    const fresh = await freshPage(browser);
    page = fresh.page;
    fresh.errors.length = 0;
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
});

after(async () => {
    await browser?.close();
    await server?.close();
});

/** Clicks an export button and returns the downloaded file's name and bytes. */
async function download(testid) {
    const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`[data-testid="${testid}"]`),
    ]);
    await ui.settled();
    return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

async function upload(testid, name, buffer, mimeType = 'application/octet-stream') {
    await page.setInputFiles(`[data-testid="${testid}"]`, { name, mimeType, buffer: Buffer.from(buffer) });
    // Reading the file is asynchronous on the page; the request (if any) follows it.
    await page.waitForTimeout(150);
    await ui.settled();
}

/** What must not change when an input is refused. */
async function state() {
    return [await ui.versions(), await ui.nodes(), await ui.gridText(), await ui.model()];
}

/** The backups' labels, newest first. */
async function backupLabels() {
    return page.$$eval('.backup-list .label', (labels) => labels.map((l) => l.textContent.trim()));
}

async function errorText() {
    const error = page.locator('[data-testid="error"]');
    await error.waitFor({ state: 'visible', timeout: 5_000 });
    return error.textContent();
}

let projectFile;
let sqliteFile;

test('export the project, change everything, import it back: all restored', async () => {
    await ui.runSql("INSERT INTO users (email, display_name) VALUES ('margaret@example.com', 'Margaret');");
    const model = `${await ui.model()}\n-- kept with the project`;
    await page.fill('[data-testid="model-editor"]', model);
    await ui.settled();

    projectFile = await download('export-project');
    assert.equal(projectFile.name, 'strata-project.json');
    const project = JSON.parse(projectFile.bytes.toString('utf8'));
    assert.equal(project.format, 'strata-project/1');
    assert.equal(project.language, 'sql');
    assert.equal(project.applied, '0002');
    assert.equal(project.revisions.length, 2);
    assert.match(project.revisions[0], /-- id: 0001/);
    assert.match(project.data, /margaret@example\.com/);
    assert.doesNotMatch(project.data, /_strata|schema_version/);
    assert.equal(project.model, model);

    // A first visit's demo holds nothing of the visitor's, so nothing was backed up yet.
    assert.deepEqual(await backupLabels(), []);
    await ui.click('reset');
    await ui.settled();
    assert.equal(await ui.tableRows('users'), 4);
    assert.doesNotMatch(await ui.model(), /kept with the project/);
    // What Reset threw away is kept, and the page says where.
    assert.deepEqual(await backupLabels(), ['before reset']);
    assert.match(await page.textContent('[data-testid="notice"]'), /kept as backup \d+ \(before reset\)/);

    await upload('import-project', 'strata-project.json', projectFile.bytes, 'application/json');
    assert.equal(await ui.tableRows('users'), 5);
    assert.match(await ui.gridText(), /margaret@example\.com/);
    assert.equal(await ui.model(), model);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    assert.deepEqual(await ui.nodes(), [['0001', 'applied'], ['0002', 'applied']]);
    assert.match(await page.textContent('[data-testid="project-notice"]'), /Loaded/);
    // The untouched demo that Reset left needed no backup.
    assert.deepEqual(await backupLabels(), ['before reset']);
    await ui.shot('strata-project-imported');

    // The model is kept in the database (OPFS), so a reload finds the imported one.
    await page.reload();
    await ui.settled();
    assert.equal(await ui.model(), model);
    assert.equal(await ui.tableRows('users'), 5);
});

test('export the .sqlite file and import it: it becomes the baseline, rows and all', async () => {
    sqliteFile = await download('export-sqlite');
    assert.equal(sqliteFile.name, 'strata.sqlite');
    assert.equal(sqliteFile.bytes.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');

    await upload('import-sqlite', 'strata.sqlite', sqliteFile.bytes);
    assert.deepEqual(await ui.nodes(), [['baseline', 'applied']]);
    assert.match(await page.textContent('[data-testid="project-notice"]'),
        /The database it replaced is kept as backup \d+ \(before import\)\./);
    assert.deepEqual(await backupLabels(), ['before import', 'before reset']);
    assert.deepEqual(await ui.versions(), ['baseline']);
    assert.match(await ui.model(), /CREATE TABLE "users"/);
    assert.match(await ui.model(), /CREATE TABLE "identities"/);
    await page.click('[data-testid="table-users"]');
    await ui.settled();
    assert.equal(await ui.tableRows('users'), 5);
    assert.equal(await ui.tableRows('identities'), 5);
    assert.match(await ui.gridText(), /margaret@example\.com/);
    // The model shown is the baseline's schema, so there is nothing to migrate.
    await ui.click('autogenerate');
    assert.match(await page.textContent('.migration'), /nothing to migrate/);
    await ui.shot('strata-sqlite-baseline');
});

test('a share link carries the project into a fresh browser profile', async () => {
    await ui.click('share-link');
    const link = await page.inputValue('[data-testid="share-url"]');
    assert.ok(link.startsWith(server.base + '#project='), link);
    await ui.shot('strata-share-link');

    const other = await freshPage(browser);
    const visitor = driver(other.page);
    await other.page.goto(link);
    await visitor.settled();
    assert.deepEqual(await visitor.versions(), ['baseline']);
    assert.deepEqual(await visitor.nodes(), [['baseline', 'applied']]);
    assert.equal(await visitor.tableRows('users'), 5);
    assert.equal(await visitor.gridText(), await ui.gridText());
    assert.equal(await visitor.model(), await ui.model());
    assert.equal(new URL(other.page.url()).hash, '', 'the fragment is cleared once loaded');
    // A fresh profile's demo needed no backup.
    assert.deepEqual(await other.page.$$eval('.backup-list .label', (l) => l.length), 0);
    assert.deepEqual(other.errors, []);
    await other.context.close();

    // Opened over a database that holds the visitor's work, the link keeps that work first.
    await page.goto(link);
    await page.reload();
    await ui.settled();
    assert.deepEqual(await ui.versions(), ['baseline']);
    assert.equal(new URL(page.url()).hash, '');
    assert.deepEqual(await backupLabels(), ['before share link', 'before import', 'before reset']);
});

test('a corrupted project file, a non-SQLite file and a damaged database are refused', async () => {
    const before = await state();

    await upload('import-project', 'broken.json', '{\n  "format": "strata-project/1",\n  oops\n}');
    assert.match(await errorText(), /not valid JSON at line 3, column 3.*nothing was changed/);
    assert.deepEqual(await state(), before);
    await ui.shot('strata-project-error');

    const otherFormat = projectFile.bytes.toString('utf8').replace('strata-project/1', 'strata-project/7');
    await upload('import-project', 'future.json', otherFormat);
    assert.match(await errorText(), /format "strata-project\/7"/);
    assert.deepEqual(await state(), before);

    const badData = JSON.parse(projectFile.bytes.toString('utf8'));
    badData.data += '\nINSERT INTO users (id, email, display_name) VALUES (1, \'dup\', \'Dup\');';
    await upload('import-project', 'dup.json', JSON.stringify(badData));
    assert.match(await errorText(), /data cannot be added \(line \d+: UNIQUE constraint failed: users\.id\); nothing was changed/);
    assert.deepEqual(await state(), before);

    await upload('import-sqlite', 'notes.txt', 'these are my notes, not a database'.repeat(8));
    assert.match(await errorText(), /notes\.txt cannot be imported: it is not a SQLite database; nothing was changed/);
    assert.deepEqual(await state(), before);

    // The header still says SQLite, but every page after the first is noise.
    const torn = Buffer.from(sqliteFile.bytes);
    const pageSize = torn.readUInt16BE(16) === 1 ? 65536 : torn.readUInt16BE(16);
    for (let i = pageSize; i < torn.length; i++) torn[i] = (i * 7) % 251;
    await upload('import-sqlite', 'torn.sqlite', torn);
    assert.match(await errorText(), /torn\.sqlite cannot be imported: it is damaged/);
    assert.deepEqual(await state(), before);
});

test('a garbled share link shows an error and leaves the database as it was', async () => {
    // A fresh profile opened on a damaged link: the demo stays as a first visit finds it.
    const other = await freshPage(browser);
    const visitor = driver(other.page);
    await other.page.goto(`${server.base}#project=eJyrVkrLz1eyUkpKLFKqBQAdfgS1garbled`);
    await visitor.settled();
    const error = other.page.locator('[data-testid="error"]');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /the share link is damaged or cut short.*nothing was changed/);
    assert.deepEqual(await visitor.versions(), ['0001', '0002']);
    assert.equal(await visitor.tableRows('users'), 4);
    assert.equal(new URL(other.page.url()).hash, '');
    await visitor.shot('strata-share-error');
    await other.page.reload();
    await visitor.settled();
    assert.equal(await other.page.$('[data-testid="error"]'), null, 'the cleared link is not read again');
    await other.context.close();
});

test('back up, change the data, restore: the backup comes back whole and survives a reload', async () => {
    await ui.click('backup-now');
    const [id] = await page.$$eval('[data-testid^="backup-"]:not([data-testid="backup-now"])',
        (items) => items.map((li) => li.dataset.testid.slice('backup-'.length)));
    assert.ok(id, 'a backup is listed');
    const before = await state();

    await ui.runSql('DELETE FROM identities; DELETE FROM users;');
    assert.equal(await ui.tableRows('users'), 0);
    await page.reload();
    await ui.settled();
    assert.ok(await page.$(`[data-testid="backup-${id}"]`), 'the backup survives a reload');

    // A restore asks first (rehearse.mjs tests the answer no).
    await page.click(`[data-testid="restore-${id}"]`);
    await ui.click('confirm-restore-yes');
    assert.equal(await ui.tableRows('users'), 5);
    assert.equal(await ui.tableRows('identities'), 5);
    assert.deepEqual(await state(), before);
    assert.match(await page.textContent('[data-testid="project-notice"]'),
        /kept as backup \d+ \(before restore\)/);
    assert.equal((await backupLabels())[0], 'before restore');
    await ui.shot('strata-backup-restored');
});

test('the page raised no uncaught error', () => {
    assert.deepEqual(pageErrors, []);
});
