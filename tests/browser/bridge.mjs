// The bridge between the command line and the playground, with the playground's leg in headless
// Chromium: the real `strata` makes a project with rows, `strata share --base <served build>`
// prints a link, the page opens it, Export project downloads the file, and `strata open` turns
// that file into a folder whose model, revision files (byte for byte) and rows are the
// original's. Run against a release build: STRATA_DIST=... node --test tests/browser/bridge.mjs
// (`STRATA_BIN` names the strata to run; by default cargo builds the workspace's own).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { driver, freshPage, launch, serve } from './support.mjs';

const root = resolve(import.meta.dirname, '../..');

/** The strata binary: STRATA_BIN, or the workspace's own as cargo builds it. */
function strataBin() {
    if (process.env.STRATA_BIN) return process.env.STRATA_BIN;
    const out = execFileSync('cargo', ['build', '--quiet', '-p', 'strata-cli', '--bin', 'strata', '--message-format=json'],
        { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line);
        if (message.reason === 'compiler-artifact' && message.target?.name === 'strata' && message.executable) {
            return message.executable;
        }
    }
    throw new Error('cargo reported no strata executable');
}

let server;
let browser;
let strata;
let work;

before(async () => {
    strata = strataBin();
    work = mkdtempSync(join(tmpdir(), 'strata-bridge-'));
    server = await serve();
    browser = await launch();
});

after(async () => {
    await browser?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs strata in `cwd`; fails the test unless it exits 0. Returns stdout and stderr. */
function run(cwd, ...args) {
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.STRATA_DATABASE;
    const result = spawnSync(strata, args, { cwd, encoding: 'utf8', env });
    assert.equal(result.status, 0, `strata ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
    return { stdout: result.stdout, stderr: result.stderr };
}

/** Every row of the database's own tables and its version rows (without their times). */
function rows(db) {
    const query = (sql) => execFileSync('sqlite3', ['-json', db, sql], { encoding: 'utf8' });
    return {
        users: query('SELECT * FROM usertable ORDER BY id'),
        identities: query('SELECT * FROM useridentitytable ORDER BY id'),
        versions: query('SELECT version, description, checksum FROM schema_version ORDER BY version'),
    };
}

/** The revision files of a project folder, by name. */
function revisionFiles(dir) {
    const folder = join(dir, 'migrations');
    return Object.fromEntries(readdirSync(folder).sort().map((name) => [name, readFileSync(join(folder, name))]));
}

test('a CLI project shared, opened in the playground and exported comes back the same', async () => {
    const shop = join(work, 'shop');
    run(work, 'init', 'shop');
    run(shop, 'revision', '--autogenerate', '-m', 'initial schema');
    // A revision written by hand, laid out as its author likes (a note, blank lines): byte for
    // byte means these bytes, not strata's own layout.
    const first = readdirSync(join(shop, 'migrations'))[0].split('_')[0];
    writeFileSync(join(shop, 'migrations', '0002_by_hand.sql'),
        `-- strata revision\n-- id: 0002\n-- parents: ${first}\n-- message: by hand\n-- created: 2026-02-01T10:00:00Z\n` +
        '-- reviewed by: grace\n\n-- +up\nCREATE INDEX idx_user_last ON usertable (last_name);\n\n\n-- +down\nDROP INDEX idx_user_last;\n');
    writeFileSync(join(shop, 'schema.sql'),
        `${readFileSync(join(shop, 'schema.sql'), 'utf8')}CREATE INDEX idx_user_last ON usertable (last_name);\n`);
    run(shop, 'upgrade', 'head');
    execFileSync('sqlite3', [join(shop, 'app.db'),
        "PRAGMA foreign_keys = ON;" +
        "INSERT INTO usertable (id, first_name, last_name, email) VALUES ('u1', 'Ada', 'O''Lovelace', 'ada@example.com'), ('u2', 'Grace', 'Hopper', NULL);" +
        "INSERT INTO useridentitytable (id, user_id, provider, provider_user_id) VALUES ('i1', 'u1', 'github', 'ada');"]);
    run(shop, 'check');

    const { stdout, stderr } = run(shop, 'share', '--base', server.base);
    const link = stdout.trim();
    assert.ok(link.startsWith(`${server.base}#project=`), link);
    assert.match(stderr, /3 row\(s\) in 2 table\(s\)/);

    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(link);
    await ui.settled();
    assert.equal(await ui.tableRows('usertable'), 2);
    assert.equal(await ui.tableRows('useridentitytable'), 1);
    assert.equal(await ui.model(), readFileSync(join(shop, 'schema.sql'), 'utf8'));
    const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid="export-project"]'),
    ]);
    await ui.settled();
    assert.equal(download.suggestedFilename(), 'strata-project.json');
    writeFileSync(join(work, 'strata-project.json'), readFileSync(await download.path()));
    assert.deepEqual(errors, []);
    await context.close();

    run(work, 'open', 'strata-project.json', 'shop-v2');
    const opened = join(work, 'shop-v2');
    assert.equal(readFileSync(join(opened, 'schema.sql'), 'utf8'), readFileSync(join(shop, 'schema.sql'), 'utf8'));
    const [before, after] = [revisionFiles(shop), revisionFiles(opened)];
    assert.deepEqual(Object.keys(after), Object.keys(before));
    for (const name of Object.keys(before)) {
        assert.ok(after[name].equals(before[name]), `${name} comes back byte for byte`);
    }
    assert.deepEqual(rows(join(opened, 'app.db')), rows(join(shop, 'app.db')));
    assert.match(run(opened, 'check').stdout, /ok: the model, the revisions and the database agree/);
});
