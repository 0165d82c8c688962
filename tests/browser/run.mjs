// End-to-end tests of the built playground in Debian's headless Chromium.
//
// Builds nothing: it serves the release build in dist/ (made by scripts/serve or
// `trunk build --release`) on a free loopback port and drives it as a visitor would.
// Run: node --test tests/browser/run.mjs   (or: npm test --prefix tests/browser)

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { coldStart, dist, driver, freshPage, gzipped, launch, serve } from './support.mjs';

let server;
let base;
let browser;
let page;
let ui;
let pageErrors;

before(async () => {
    server = await serve();
    base = server.base;
    browser = await launch();
    // A fresh context is a fresh profile: its OPFS starts empty and lasts across reloads.
    ({ page, errors: pageErrors } = await freshPage(browser));
    ui = driver(page);
});

after(async () => {
    await browser?.close();
    await server?.close();
});

const settled = () => ui.settled();
const runSql = (sql) => ui.runSql(sql);
const tableRows = (table) => ui.tableRows(table);
const gridText = () => ui.gridText();
const shot = (name) => ui.shot(name);

/** The median of some numbers. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('navigation to interactive, cold and on reload', async (t) => {
    // Each cold load is a fresh profile: empty OPFS, so the worker also puts the demo in place.
    // The time is read inside the page, when data-ready first turns true: the worker has
    // answered (a first visit is usable earlier, from the build's answer; see the throttled
    // cold start below and firstvisit.mjs).
    const cold = [];
    const reload = [];
    for (let i = 0; i < 3; i++) {
        const fresh = await freshPage(browser);
        await readyClock(fresh.page);
        await fresh.page.goto(base);
        cold.push(await interactiveAt(fresh.page));
        assert.equal(await fresh.page.textContent('[data-testid="storage"]'), 'saved in this browser');
        await fresh.page.reload();
        reload.push(await interactiveAt(fresh.page));
        assert.equal(await driver(fresh.page).tableRows('users'), 4, 'the reload found the demo it built');
        await fresh.context.close();
    }
    t.diagnostic(`navigation to interactive, cold: ${cold.map(Math.round).join(', ')} ms (median ${Math.round(median(cold))})`);
    t.diagnostic(`navigation to interactive, reload: ${reload.map(Math.round).join(', ')} ms (median ${Math.round(median(reload))})`);
});

test('throttled cold start: 10 Mbit/s, 40 ms latency, gzipped, fresh profile', async (t) => {
    // Chromium's own network emulation (throttling the worker's fetches too), as a visitor on
    // a slow link meets the playground for the first time. The target is interactive within
    // 1.2 s (issue 15); the figures are printed, not asserted, since a timed assertion would
    // only measure how busy the machine is.
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await coldStart(browser, server));
    const ms = (x) => (x === undefined ? '-' : `${Math.round(x)}`);
    for (const r of runs) {
        t.diagnostic(`cold start: drawn ${ms(r.drawn)} ms, interactive ${ms(r.interactive)} ms, worker module compiled ${ms(r.module)} ms, worker answered ${ms(r.answered)} ms, ${r.bytes} bytes`);
    }
    const spread = (key) => {
        const xs = runs.map((r) => r[key]);
        return `median ${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))})`;
    };
    t.diagnostic(`throttled cold start to interactive: ${spread('interactive')} (target 1200 ms); drawn: ${spread('drawn')}; worker answered: ${spread('answered')}`);
});

/** Notes, inside the page, the moment data-ready first turns true after each navigation. */
function readyClock(p) {
    return p.addInitScript(() => {
        new MutationObserver((_, observer) => {
            if (document.querySelector('.app[data-ready="true"]')) {
                window.strataReadyAt = performance.now();
                observer.disconnect();
            }
        }).observe(document, { subtree: true, childList: true, attributes: true });
    });
}

async function interactiveAt(p) {
    await p.waitForSelector('.app[data-ready="true"]', { timeout: 20_000 });
    return p.evaluate(() => window.strataReadyAt);
}

test('the demo opens with its revisions applied, kept in OPFS', async () => {
    await page.goto(base);
    await settled();

    const versions = await page.$$eval('[data-testid="schema-version-table"] tbody tr',
        (rows) => rows.map((row) => row.cells[0].textContent));
    assert.deepEqual(versions, ['0001', '0002']);
    assert.equal(await page.textContent('[data-testid="storage"]'), 'saved in this browser');
    assert.equal(await tableRows('users'), 4);
    assert.match(await gridText(), /ada@example\.com/);

    await shot('strata-demo');
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
    await shot('strata-error');
});

test('a query shows its rows and the data grid follows the chosen table', async () => {
    await runSql('SELECT provider, count(*) AS users FROM identities GROUP BY provider ORDER BY provider');
    const providers = await page.$$eval('[data-testid="console-result"] tbody tr',
        (rows) => rows.map((row) => row.cells[0].textContent));
    assert.deepEqual(providers, ['github', 'gitlab', 'google']);
    await page.click('[data-testid="table-identities"]');
    await settled();
    assert.match(await gridText(), /ghopper/);
    await shot('strata-query');
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
    await shot('strata-autogenerate');

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
    await shot('strata-upgraded');

    await page.reload();
    await settled();
    assert.deepEqual(await versions(), ['0001', '0002', id]);
    assert.deepEqual((await nodes())[2], [id, 'applied']);

    // Dropping the column throws its values away once it holds some, so the page asks first;
    // "keep my data" leaves everything as it was. (An all-NULL column is dropped without a
    // question: nothing is lost.)
    await runSql("UPDATE users SET phone = '555-0100' WHERE id = 1;");
    await click('downgrade-one');
    assert.match(await page.textContent('[data-testid="confirm-downgrade"]'), /phone/);
    await click('confirm-downgrade-no');
    assert.deepEqual(await versions(), ['0001', '0002', id]);
    await click('downgrade-one');
    await click('confirm-downgrade-yes');
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
    await click('confirm-downgrade-yes');
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
    await shot('strata-model-error');
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
    await shot('strata-failed-migration');
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
    // The target is 50 ms (issue 4); the figure is printed above, not asserted: a timed
    // assertion would only measure how busy the machine is.
    await click('reset');
});

test('the page raised no uncaught error', () => {
    assert.deepEqual(pageErrors, []);
});

test('release first-load size', (t) => {
    // Two parts, gzipped as any static host sends them (issue 15):
    // - the first load is what the page needs before it draws and takes typing: index.html,
    //   the page's glue and module (the Yew app) and the styles;
    // - the worker's glue and module (SQLite and the engine) are fetched by index.html's
    //   script (on a first visit once the page's module has arrived, later beside it) and
    //   compile as they stream in. A first visit is interactive before they arrive (the page
    //   draws the build's answer to Open); data-ready, the worker's own answer, waits for
    //   them, so everything fetched before it is both parts, and that is bounded too.
    // The page's bound is what keeps it small; the total's keeps SQLite and the engine from
    // growing unnoticed. Both are the size measured when they were set plus about 5%: on
    // 2026-12-07, after Rehearse, the restore question, notices, Cancel and the lessons' goal
    // diagrams had joined the page, 430,580 B and 1,213,464 B (docs/benchmarks.md). The page's
    // bound was raised once since, for the exercises a teacher makes and shares (issue 13 §6:
    // 437,704 B before, 453,662 B after, measured the same day). Both were set again when the
    // exercises, the SQLModel lessons with their Alembic export, the runbook lesson, the first
    // visit drawn from the build and the linear schema builder met on main: 477,296 B and
    // 1,320,370 B (the worker's module 837,087 B of it), measured plus about 5%.
    const FIRST_LOAD = 500_000;
    const BEFORE_INTERACTIVE = 1_385_000;
    let page = 0;
    let worker = 0;
    for (const name of readdirSync(dist)) {
        if (!/\.(html|js|wasm|css)$/.test(name)) continue;
        const bytes = readFileSync(join(dist, name));
        const gz = gzipped(bytes).length;
        const part = name.startsWith('strata-worker') ? 'worker' : 'page';
        t.diagnostic(`${part}: ${name}: ${statSync(join(dist, name)).size} bytes, ${gz} gzipped`);
        if (part === 'worker') worker += gz;
        else page += gz;
    }
    t.diagnostic(`first load (the page's part), gzipped: ${page} bytes (${(page / 1024).toFixed(0)} KiB)`);
    t.diagnostic(`before the worker answers (page and worker), gzipped: ${page + worker} bytes (${((page + worker) / 1024).toFixed(0)} KiB)`);
    assert.ok(worker > 0, 'dist/ holds the worker\'s module (strata-worker_bg.wasm) beside the page\'s');
    const pageModule = readdirSync(dist).find((name) => /^strata-web-.*\.wasm$/.test(name));
    // SQLite writes this text at the start of every database file; a module that holds it
    // links SQLite.
    assert.ok(!readFileSync(join(dist, pageModule)).includes('SQLite format 3'),
        `the page's module ${pageModule} links SQLite, which belongs to the worker's alone`);
    assert.ok(page < FIRST_LOAD, `the first load is ${page} bytes gzipped, over ${FIRST_LOAD}`);
    assert.ok(page + worker < BEFORE_INTERACTIVE,
        `everything before interactive is ${page + worker} bytes gzipped, over ${BEFORE_INTERACTIVE}`);
});
