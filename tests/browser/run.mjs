// End-to-end tests of the built playground in Debian's headless Chromium.
//
// Builds nothing: it serves the release build in dist/ (made by scripts/serve or
// `trunk build --release`) on a free loopback port and drives it as a visitor would.
// Run: node --test tests/browser/run.mjs   (or: npm test --prefix tests/browser)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const dist = resolve(process.env.STRATA_DIST ?? resolve(import.meta.dirname, '../../dist'));
const shots = process.env.SCREENSHOT_DIR ?? tmpdir();
const viewport = { width: 1280, height: 800 };

// The test serves dist/ itself so that it needs nothing but node; WebAssembly streaming
// compilation needs exactly application/wasm, so the types are spelled out.
const types = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.wasm': 'application/wasm',
    '.svg': 'image/svg+xml',
    '.json': 'application/json',
};

let server;
let base;
let browser;
let page;
const pageErrors = [];

before(async () => {
    assert.ok(existsSync(join(dist, 'index.html')),
        'dist/ holds no build: run scripts/serve (or trunk build --release) first');
    server = createServer((req, res) => {
        const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
        const file = join(dist, path.endsWith('/') ? join(path, 'index.html') : path);
        if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
            res.writeHead(404).end('not found');
            return;
        }
        res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
        createReadStream(file).pipe(res);
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${server.address().port}/`;

    browser = await chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        // Without the background-networking flags Chromium keeps calling home, and this
        // machine's closed network refuses every call.
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // A fresh context is a fresh profile: its OPFS starts empty and lasts across reloads.
    const context = await browser.newContext({ viewport });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
    });
});

after(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok()));
});

/** Waits until the database has answered every request the page sent. */
async function settled() {
    await page.waitForSelector('.app[data-ready="true"]', { timeout: 15_000 });
}

async function runSql(sql) {
    await page.fill('[data-testid="console-input"]', sql);
    await page.click('[data-testid="console-run"]');
    await settled();
}

async function tableRows(table) {
    const text = await page.textContent(`[data-testid="table-${table}"] .rows`);
    return Number(text);
}

async function gridText() {
    return page.textContent('[data-testid="data-grid"]');
}

test('the demo opens with its revisions applied, kept in OPFS', async (t) => {
    await page.goto(base);
    await settled();
    const interactiveMs = await page.evaluate(() => performance.now());
    t.diagnostic(`navigation to interactive: ${interactiveMs.toFixed(0)} ms`);

    const versions = await page.$$eval('[data-testid="schema-version-table"] tbody tr',
        (rows) => rows.map((row) => row.cells[0].textContent));
    assert.deepEqual(versions, ['0001', '0002']);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await tableRows('users'), 4);
    assert.match(await gridText(), /ada@example\.com/);

    const size = await page.evaluate(() => [
        document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    assert.deepEqual(size, [viewport.width, viewport.height], 'the page fits 1280x800 without scrolling');
    await page.screenshot({ path: join(shots, 'strata-demo-1280x800.png') });
});

test('a console write and a model edit are kept across a reload', async () => {
    await runSql("INSERT INTO users (email, display_name) VALUES ('linus@example.com', 'Linus');");
    assert.equal(await page.textContent('[data-testid="console-result"]'), '1 statement ran, 1 row changed');
    assert.equal(await tableRows('users'), 5);
    const model = await page.inputValue('[data-testid="model-editor"]');
    await page.fill('[data-testid="model-editor"]', `${model}\n-- a note of mine`);
    // The model is kept in the database a moment after typing stops; the page is not
    // settled until it is.
    await settled();

    await page.reload();
    await settled();
    assert.equal(await tableRows('users'), 5);
    assert.match(await gridText(), /linus@example\.com/);
    assert.match(await page.inputValue('[data-testid="model-editor"]'), /-- a note of mine$/);
});

test('invalid SQL shows an error and leaves the data unchanged', async () => {
    const before = await gridText();
    await runSql("DELETE FROM identities;\nUPDATE users SET email = 'x';\nSELEC nothing;");
    const error = await page.textContent('[data-testid="error"]');
    assert.match(error, /statement 2: UNIQUE constraint failed: users\.email/);
    assert.match(error, /no changes were applied/);
    assert.equal(await gridText(), before);
    assert.equal(await tableRows('identities'), 5);

    await runSql('SELEC 1');
    assert.match(await page.textContent('[data-testid="error"]'), /near "SELEC": syntax error/);
    await page.screenshot({ path: join(shots, 'strata-error-1280x800.png') });
});

test('a query shows its rows and the data grid follows the chosen table', async () => {
    await runSql('SELECT provider, count(*) AS users FROM identities GROUP BY provider ORDER BY provider');
    const providers = await page.$$eval('[data-testid="console-result"] tbody tr',
        (rows) => rows.map((row) => row.cells[0].textContent));
    assert.deepEqual(providers, ['github', 'gitlab', 'google']);
    await page.click('[data-testid="table-identities"]');
    await settled();
    assert.match(await gridText(), /ghopper/);
    await page.screenshot({ path: join(shots, 'strata-query-1280x800.png') });
});

test('reset returns to the demo', async () => {
    await page.click('[data-testid="reset"]');
    await settled();
    assert.equal(await tableRows('users'), 4);
    assert.doesNotMatch(await gridText(), /linus@example\.com/);
    assert.doesNotMatch(await page.inputValue('[data-testid="model-editor"]'), /a note of mine/);
    await page.reload();
    await settled();
    assert.equal(await tableRows('users'), 4);
});

// The migration loop: the model editor, Autogenerate, Save revision, the revision graph and the
// schema_version panel, against the database in the worker.

async function versions() {
    return page.$$eval('[data-testid="schema-version-table"] tbody tr',
        (rows) => rows.map((row) => row.cells[0].textContent));
}

/** The revision graph's nodes, oldest first, as [id, state]. */
async function nodes() {
    const list = await page.$$eval('li[data-testid^="revision-"]',
        (items) => items.map((li) => [li.dataset.testid.slice('revision-'.length), li.dataset.state]));
    return list.reverse();
}

async function click(testid) {
    await page.click(`[data-testid="${testid}"]`);
    await settled();
}

const withPhone = (model) => model.replace('display_name TEXT NOT NULL,',
    'display_name TEXT NOT NULL,\n    phone TEXT,');

test('autogenerate, save, upgrade and downgrade a new column; all kept across a reload', async () => {
    const model = await page.inputValue('[data-testid="model-editor"]');
    await page.fill('[data-testid="model-editor"]', withPhone(model));
    await click('autogenerate');
    assert.match(await page.textContent('[data-testid="changes"]'), /add column phone/);
    assert.match(await page.textContent('[data-testid="migration-up-sql"]'), /ALTER TABLE "users" ADD COLUMN "phone" TEXT/);
    assert.match(await page.textContent('[data-testid="migration-down-sql"]'), /phone/);
    assert.equal(await page.getAttribute('[data-testid="diagram-users"]', 'data-mark'), 'changed');
    assert.equal(await page.getAttribute('[data-testid="diagram-identities"]', 'data-mark'), 'same');
    assert.match(await page.textContent('[data-testid="diagram-users"] .col.added'), /phone/);
    await page.screenshot({ path: join(shots, 'strata-autogenerate-1280x800.png') });

    await page.fill('[data-testid="revision-message"]', 'add phone to users');
    await click('save-revision');
    const saved = await nodes();
    assert.equal(saved.length, 3);
    assert.deepEqual(saved.slice(0, 2), [['0001', 'applied'], ['0002', 'applied']]);
    const [id, state] = saved[2];
    assert.equal(state, 'pending');
    assert.match(id, /^[0-9a-f]{12}$/);
    assert.deepEqual(await versions(), ['0001', '0002']);

    await click('upgrade-head');
    assert.deepEqual(await versions(), ['0001', '0002', id]);
    assert.deepEqual((await nodes())[2], [id, 'applied']);
    await page.click('[data-testid="table-users"]');
    await settled();
    assert.match(await page.textContent('[data-testid="data-grid"] thead'), /phone/);
    await page.screenshot({ path: join(shots, 'strata-upgraded-1280x800.png') });

    await page.reload();
    await settled();
    assert.deepEqual(await versions(), ['0001', '0002', id]);
    assert.deepEqual((await nodes())[2], [id, 'applied']);

    await click('downgrade-one');
    assert.deepEqual(await versions(), ['0001', '0002']);
    assert.deepEqual((await nodes())[2], [id, 'pending']);
    assert.doesNotMatch(await page.textContent('[data-testid="data-grid"] thead'), /phone/);
    assert.equal(await tableRows('users'), 4);

    await page.reload();
    await settled();
    assert.deepEqual(await nodes(), [['0001', 'applied'], ['0002', 'applied'], [id, 'pending']]);
    assert.deepEqual(await versions(), ['0001', '0002']);
    assert.match(await page.inputValue('[data-testid="model-editor"]'), /phone TEXT/);

    // "Migrate to here": up to the new node, then back down to the first.
    await click(`upgrade-to-${id}`);
    assert.deepEqual(await versions(), ['0001', '0002', id]);
    await click('downgrade-to-0001');
    assert.deepEqual(await versions(), ['0001']);
    assert.deepEqual(await nodes(), [['0001', 'applied'], ['0002', 'pending'], [id, 'pending']]);
    await click('upgrade-head');
    assert.deepEqual(await versions(), ['0001', '0002', id]);
});

test('invalid model SQL shows a line-numbered error and changes nothing', async () => {
    const before = [await versions(), await nodes(), await gridText()];
    const model = await page.inputValue('[data-testid="model-editor"]');
    const broken = `${model}\nCREATE TABLE broken (id INTEGER PRIMARY KEY,,);`;
    await page.fill('[data-testid="model-editor"]', broken);
    await click('autogenerate');
    const error = await page.textContent('[data-testid="error"]');
    assert.match(error, new RegExp(`^model line ${broken.split('\n').length}: `));
    assert.equal(await page.$('[data-testid="migration-up-sql"]'), null);
    assert.deepEqual([await versions(), await nodes(), await gridText()], before);
    await page.screenshot({ path: join(shots, 'strata-model-error-1280x800.png') });
    await page.fill('[data-testid="model-editor"]', model);
});

test('a failing migration shows its error and leaves the database unchanged', async () => {
    // The downgrade to 0001 above dropped identities with its rows: give Ada two again, so a
    // unique index on user_id cannot be built.
    await runSql("INSERT INTO identities (user_id, provider, subject) VALUES (1, 'github', 'ada'), (1, 'google', '1048');");
    const model = await page.inputValue('[data-testid="model-editor"]');
    await page.fill('[data-testid="model-editor"]',
        `${model}\nCREATE UNIQUE INDEX one_identity ON identities (user_id);`);
    await click('autogenerate');
    await page.fill('[data-testid="revision-message"]', 'one identity per user');
    await click('save-revision');
    const [id] = (await nodes()).at(-1);
    const before = [await versions(), await gridText()];
    await click('upgrade-head');
    const error = await page.textContent('[data-testid="error"]');
    assert.match(error, new RegExp(`revision ${id} \\(one identity per user\\) failed`));
    assert.match(error, /UNIQUE constraint failed: identities\.user_id/);
    assert.match(error, /CREATE UNIQUE INDEX/);
    assert.deepEqual([await versions(), await gridText()], before);
    assert.equal((await nodes()).at(-1)[1], 'pending');
    await page.screenshot({ path: join(shots, 'strata-failed-migration-1280x800.png') });
});

test('autogenerate and apply of a 20-table model change', async (t) => {
    await click('reset');
    const model = await page.inputValue('[data-testid="model-editor"]');
    const tables = Array.from({ length: 20 }, (_, i) => {
        const n = String(i + 1).padStart(2, '0');
        return `CREATE TABLE t${n} (\n    id INTEGER PRIMARY KEY,\n    user_id INTEGER NOT NULL REFERENCES users (id),\n    name TEXT NOT NULL,\n    score REAL DEFAULT 0\n);\nCREATE INDEX t${n}_user ON t${n} (user_id);`;
    });
    await page.fill('[data-testid="model-editor"]', `${model}\n${tables.join('\n')}`);
    const started = Date.now();
    await click('autogenerate');
    const autogen = await page.textContent('[data-testid="autogen-ms"]');
    assert.match(autogen, /^40 changes/);
    await page.fill('[data-testid="revision-message"]', 'twenty tables');
    await click('save-revision');
    await click('upgrade-head');
    const roundTrip = Date.now() - started;
    const rows = await page.$$eval('[data-testid="schema-version-table"] tbody tr',
        (trs) => trs.map((tr) => Array.from(tr.cells, (c) => c.textContent)));
    const columns = await page.$$eval('[data-testid="schema-version-table"] thead th',
        (ths) => ths.map((th) => th.textContent));
    const applyMs = Number(rows.at(-1)[columns.indexOf('execution_ms')]);
    const autogenMs = Number(autogen.match(/in ([\d.]+) ms/)[1]);
    t.diagnostic(`20-table change: autogenerate ${autogenMs} ms + apply ${applyMs} ms in the worker = ${(autogenMs + applyMs).toFixed(1)} ms; ${roundTrip} ms driven from the test (three round trips, typing and rendering included)`);
    assert.equal(rows.length, 3);
    // The target is 50 ms (issue 4); the guard is looser so a busy CI machine does not flake.
    assert.ok(autogenMs + applyMs < 250, `autogenerate + apply took ${autogenMs + applyMs} ms`);
    await click('reset');
});

test('the page raised no uncaught error', () => {
    assert.deepEqual(pageErrors, []);
});

test('release first-load size', (t) => {
    // What a first visit downloads: the page, the glue, the module and the styles, gzipped as
    // any static host would send them.
    let total = 0;
    for (const name of readdirSync(dist)) {
        if (!/\.(html|js|wasm|css)$/.test(name)) continue;
        const gz = gzipSync(readFileSync(join(dist, name)), { level: 9 }).length;
        t.diagnostic(`${name}: ${statSync(join(dist, name)).size} bytes, ${gz} gzipped`);
        total += gz;
    }
    t.diagnostic(`first load, gzipped: ${(total / 1024).toFixed(0)} KiB`);
    assert.ok(total < 1024 * 1024, `first load is ${total} bytes gzipped, over 1 MiB`);
});
