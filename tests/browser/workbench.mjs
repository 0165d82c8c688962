// End-to-end tests of the workbench around the migration loop, in Debian's headless Chromium:
// the SQLModel tab, create_all(), a revision's exports, branches and a merge drawn in the
// revision graph, the whole history as a zipped Alembic project, and the downgrade that asks
// before it throws data away.
//
// Runs against a release build: STRATA_DIST=... node --test tests/browser/workbench.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { driver, freshPage, launch, serve } from './support.mjs';

let server;
let browser;
let page;
let ui;
let pageErrors;

before(async () => {
    server = await serve();
    browser = await launch();
    ({ page, errors: pageErrors } = await freshPage(browser));
    ui = driver(page);
    await page.goto(server.base);
    await ui.settled();
});

after(async () => {
    await browser?.close();
    await server?.close();
});

const click = (testid) => ui.click(testid);
const versions = () => ui.versions();
const model = () => ui.model();
const shot = (name) => ui.shot(name);
const text = (testid) => page.textContent(`[data-testid="${testid}"]`);

/** The revision graph's nodes, newest first, as [id, state, lane]. */
async function nodes() {
    return page.$$eval('li[data-testid^="revision-"]', (items) => items.map((li) => [
        li.dataset.testid.slice('revision-'.length), li.dataset.state, Number(li.dataset.lane)]));
}

async function tables() {
    return page.$$eval('[data-testid^="table-"]', (tabs) => tabs.map((t) => t.dataset.testid.slice(6)));
}

test('the SQLModel tab autogenerates from classes and marks the line of an error', async () => {
    const sql = await model();
    await click('model-tab-sqlmodel');
    const py = await model();
    assert.match(py, /class User\(SQLModel, table=True\):/);

    // A field type strata does not map: the error names its line, the gutter marks it, and
    // nothing is written.
    const lines = py.split('\n');
    const at = lines.findIndex((l) => l.includes('display_name: str')) + 1;
    lines.splice(at, 0, '    tags: list[int]');
    await page.fill('[data-testid="model-editor"]', lines.join('\n'));
    const before = await versions();
    await click('autogenerate');
    assert.match(await text('error'), new RegExp(`^model line ${at + 1}, column \\d+: `));
    assert.equal((await text('model-error-line')).trim(), String(at + 1));
    assert.match(await text('model-error'), new RegExp(`^line ${at + 1}, column`));
    assert.deepEqual(await versions(), before);
    await shot('strata-sqlmodel-error');

    lines[at] = '    phone: Optional[str] = None';
    await page.fill('[data-testid="model-editor"]', lines.join('\n'));
    await click('autogenerate');
    assert.equal(await page.$('[data-testid="model-error"]'), null);
    // The tab says the demo's schema exactly, so the new field is the only change.
    assert.match(await text('autogen-ms'), /^1 change /);
    assert.match(await text('changes'), /add column phone/);
    assert.match(await text('migration-up-sql'), /"phone" VARCHAR/);
    await shot('strata-sqlmodel');

    // Each tab keeps its own text.
    await click('model-tab-sql');
    assert.equal(await model(), sql);
    await click('model-tab-sqlmodel');
    assert.match(await model(), /phone: Optional\[str\] = None/);
    await click('model-tab-sql');
});

test('create_all() creates only missing tables and lists what it leaves alone', async () => {
    const sql = await model();
    await page.fill('[data-testid="model-editor"]', (sql.replace('display_name TEXT NOT NULL,',
        'display_name TEXT NOT NULL,\n    phone TEXT,') + '\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);'));
    await click('create-all');
    const error = await page.$('[data-testid="error"]');
    assert.equal(error, null, error && await error.textContent());
    assert.match(await text('create-all-creates'), /notes/);
    assert.match(await text('create-all-skipped'), /users\.phone is not added/);
    assert.ok(!(await tables()).includes('notes'), 'the simulation creates nothing');
    await shot('strata-create-all');

    await click('create-all-run');
    assert.ok((await tables()).includes('notes'));
    await page.click('[data-testid="table-users"]');
    await ui.settled();
    assert.doesNotMatch(await text('data-grid'), /phone/, 'the new column never arrives');
    await click('create-all-close');
    await page.fill('[data-testid="model-editor"]', sql);
});

test('a revision exports as an Alembic script, PostgreSQL SQL and plain SQL files', async () => {
    await page.click('[data-testid="export-0002"] summary');
    await click('export-alembic-0002');
    assert.equal(await page.getAttribute('[data-testid="export-output"]', 'data-format'), 'alembic');
    const script = await text('export-file-0');
    assert.match(script, /revision: str = "0002"/);
    assert.match(script, /down_revision: .* = "0001"/);
    assert.match(script, /def upgrade\(\)/);
    // The demo's revisions were written by hand, but they only create tables and an index, so
    // they export as Alembic operations all the same.
    assert.match(script, /op\.create_table\(\s*"identities"/);
    assert.match(script, /op\.create_index\(/);
    assert.doesNotMatch(script, /edited by hand/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-download-0"]')]);
    assert.equal(download.suggestedFilename(), '0002.py');
    assert.equal(readFileSync(await download.path(), 'utf8'), script.trimEnd() + (script.endsWith('\n') ? '' : '\n'));
    await shot('strata-export-alembic');
    await click('export-close');

    await page.click('[data-testid="export-0002"] summary');
    await click('export-postgres-0002');
    assert.match(await text('export-file-0'), /CREATE TABLE/);
    assert.match(await text('export-name-1'), /postgres\.down\.sql$/);
    await click('export-close');

    await page.click('[data-testid="export-0001"] summary');
    await click('export-sql-0001');
    assert.match(await text('export-name-1'), /_rollback\.sql$/);
    assert.match(await text('export-file-0'), /INSERT INTO "schema_version"/);
    await click('export-close');
    assert.equal(await page.$('[data-testid="export-output"]'), null);
});

test('two branches from one revision show as two heads that a merge joins', async () => {
    await click('reset');
    const sql = await model();
    const withColumn = (c) => sql.replace('display_name TEXT NOT NULL,', `display_name TEXT NOT NULL,\n    ${c} TEXT,`);

    await page.fill('[data-testid="model-editor"]', withColumn('phone'));
    await click('autogenerate');
    await page.fill('[data-testid="revision-message"]', 'add phone');
    await click('save-revision');
    const [phone] = (await nodes())[0];

    // An autogenerated revision exports as Alembic operations, not as copied SQL.
    await page.click(`[data-testid="export-${phone}"] summary`);
    await click(`export-alembic-${phone}`);
    assert.match(await text('export-file-0'), /op\.add_column\("users", sa\.Column\("phone", sa\.Text\(\)/);
    assert.match(await text('export-file-0'), /down_revision: .* = "0002"/);
    await click('export-close');

    // A second developer's change, made on 0002 beside "add phone".
    await click('branch-from-0002');
    assert.match(await text('branch-note'), /branch from 0002/);
    await page.fill('[data-testid="model-editor"]', withColumn('nickname'));
    await click('autogenerate');
    assert.doesNotMatch(await text('migration-up-sql'), /phone/);
    await page.fill('[data-testid="revision-message"]', 'add nickname');
    await click('save-revision');
    assert.equal(await page.$('[data-testid="branch-note"]'), null);

    const graph = await nodes();
    const nick = graph.find(([id]) => id !== phone && id !== '0001' && id !== '0002')[0];
    const lanes = Object.fromEntries(graph.map(([id, , lane]) => [id, lane]));
    assert.notEqual(lanes[phone], lanes[nick], 'the two heads sit on different lanes');
    assert.equal(lanes['0002'], 0);
    assert.match(await page.getAttribute('[data-testid="merge-heads"]', 'title'), new RegExp(`${phone}|${nick}`));
    await shot('strata-branches');

    await page.fill('[data-testid="revision-message"]', 'merge phone and nickname');
    await click('merge-heads');
    const merged = await nodes();
    assert.equal(merged.length, 5);
    const [mergeId] = merged[0];
    assert.match(await page.textContent(`[data-testid="revision-${mergeId}"]`), /merge phone and nickname/);
    assert.equal(await page.$('[data-testid="merge-heads"]'), null);

    await click('upgrade-head');
    const applied = await versions();
    assert.equal(applied.length, 5);
    assert.deepEqual(applied.slice(0, 2), ['0001', '0002']);
    assert.equal(applied.at(-1), mergeId);
    await page.click('[data-testid="table-users"]');
    await ui.settled();
    assert.match(await page.textContent('[data-testid="data-grid"] thead'), /phone[\s\S]*nickname|nickname[\s\S]*phone/);
    await shot('strata-merged');
});

/** The files of a zip archive by name, read through its central directory, each CRC checked. */
function unzip(buf) {
    const end = buf.length - 22;
    assert.equal(buf.readUInt32LE(end), 0x06054b50, 'an end-of-directory record closes the archive');
    const files = new Map();
    let at = buf.readUInt32LE(end + 16);
    for (let n = buf.readUInt16LE(end + 10); n > 0; n -= 1) {
        assert.equal(buf.readUInt32LE(at), 0x02014b50);
        const method = buf.readUInt16LE(at + 10);
        const [crc, stored, size] = [buf.readUInt32LE(at + 16), buf.readUInt32LE(at + 20), buf.readUInt32LE(at + 24)];
        const nameLength = buf.readUInt16LE(at + 28);
        const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
        const local = buf.readUInt32LE(at + 42);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const body = buf.subarray(start, start + stored);
        const data = method === 8 ? inflateRawSync(body) : body;
        assert.equal(data.length, size, name);
        assert.equal(crc32(data), crc, name);
        files.set(name, data.toString('utf8'));
        at += 46 + nameLength;
    }
    return files;
}

test('the whole history, merge included, downloads as a zipped Alembic project', async () => {
    // The graph the previous test left: 0001, 0002, two branches and their merge.
    const graph = await nodes();
    assert.equal(graph.length, 5);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-alembic-project"]')]);
    await ui.settled();
    assert.equal(download.suggestedFilename(), 'strata-alembic-project.zip');
    const files = unzip(readFileSync(await download.path()));
    for (const name of ['alembic.ini', 'env.py', 'script.py.mako']) {
        assert.ok(files.has(`strata-alembic/${name}`), `the project has ${name}: ${[...files.keys()]}`);
    }
    const versions = [...files.keys()].filter((name) => name.startsWith('strata-alembic/versions/'));
    assert.equal(versions.length, graph.length, 'one script per revision');
    for (const [id] of graph) {
        assert.ok(versions.some((name) => files.get(name).includes(`revision: str = "${id}"`)), `a script for ${id}`);
    }
    const merge = versions.map((name) => files.get(name)).find((script) => script.includes(`revision: str = "${graph[0][0]}"`));
    assert.match(merge, /down_revision: Union\[str, Sequence\[str\], None\] = \("[^"]+", "[^"]+",\)/, 'the merge keeps both parents');
    assert.match(await text('notice'), /^Exported strata-alembic-project\.zip: 5 revisions as an Alembic project\./);
});

test('a downgrade that throws data away asks first; no keeps everything', async () => {
    await click('reset');
    const rows = await page.textContent('[data-testid="table-identities"] .rows');
    await click('downgrade-one');
    assert.match(await text('confirm-downgrade'), /identities/);
    await shot('strata-confirm-downgrade');
    await click('confirm-downgrade-no');
    assert.equal(await page.$('[data-testid="confirm-downgrade"]'), null);
    assert.deepEqual(await versions(), ['0001', '0002']);
    assert.equal(await page.textContent('[data-testid="table-identities"] .rows'), rows);

    await click('downgrade-one');
    await click('confirm-downgrade-yes');
    assert.deepEqual(await versions(), ['0001']);
    assert.ok(!(await tables()).includes('identities'));
});

test('Save revision waits for a yes or a no to the rename question', async () => {
    await click('reset');
    const sql = await model();
    await page.fill('[data-testid="model-editor"]', sql.replace('display_name TEXT NOT NULL', 'full_name TEXT NOT NULL'));
    await click('autogenerate');
    assert.match(await text('rename-prompt'), /display_name to users\.full_name/);
    await page.fill('[data-testid="revision-message"]', 'names');
    assert.ok(await page.isDisabled('[data-testid="save-revision"]'), 'no answer yet: Save is off');
    // No: the drop and the add stay, and Save can go.
    await click('decline-rename');
    assert.equal(await page.getAttribute('[data-testid="rename-prompt"]', 'data-answer'), 'no');
    assert.doesNotMatch(await text('migration-up-sql'), /RENAME COLUMN/);
    assert.ok(await page.isEnabled('[data-testid="save-revision"]'));
    // Changing the answer to yes shows the rename instead.
    await click('confirm-rename');
    assert.match(await text('migration-up-sql'), /RENAME COLUMN "display_name" TO "full_name"/);
    assert.equal(await page.$('[data-testid="rename-prompt"]'), null);
    assert.ok(await page.isEnabled('[data-testid="save-revision"]'));
    await page.fill('[data-testid="model-editor"]', sql);
});

test('an upgrade that throws values away asks first, like a downgrade', async () => {
    await click('reset');
    const sql = await model();
    await page.fill('[data-testid="model-editor"]', sql.replace(/\n\s*display_name TEXT NOT NULL,/, ''));
    await click('autogenerate');
    await page.fill('[data-testid="revision-message"]', 'drop names');
    await click('save-revision');
    await click('upgrade-head');
    assert.match(await text('confirm-upgrade'), /users\.display_name: \d+ non-NULL values/);
    await click('confirm-upgrade-no');
    assert.deepEqual(await versions(), ['0001', '0002']);
    await click('upgrade-head');
    await click('confirm-upgrade-yes');
    assert.equal((await versions()).length, 3);
    await page.fill('[data-testid="model-editor"]', sql);
});

test('the page raised no uncaught error', () => {
    assert.deepEqual(pageErrors, []);
});
