// End-to-end tests of the playground's "before production" tools (issue 14 §5), in Debian's
// headless Chromium: Rehearse beside Upgrade head (the same rehearsal as `strata rehearse`, on a
// scratch copy: the report per revision and direction, a silent loss found, a failing statement
// shown, the database byte for byte unchanged and the panels where they were), the
// additive/breaking badge with its reasons on hover, and a restore that asks first and keeps
// the current state as a backup.
//
// Runs against a release build: STRATA_DIST=... node --test tests/browser/rehearse.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { linkOf, revisionFile } from './links.mjs';
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

const tid = (id) => `[data-testid="${id}"]`;

/** Opens a fresh profile on `url`; resolves to { context, page, ui, errors }. */
async function visit(url) {
    const { context, page, errors } = await freshPage(browser);
    const ui = driver(page);
    await page.goto(url);
    await ui.settled();
    return { context, page, ui, errors };
}

/** The database file as the page exports it: what "unchanged" means, byte for byte. */
async function databaseBytes(page, ui) {
    const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(tid('export-sqlite')),
    ]);
    await ui.settled();
    return readFileSync(await download.path());
}

/** Where the panels are drawn: a rehearsal must not move them. */
const panelBoxes = (page) => page.$$eval('.column, .revisions-panel, .project-panel',
    (els) => els.map((el) => { const r = el.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }));

test('Rehearse runs the pending revisions on a copy, reports each direction, and changes nothing', async () => {
    const { context, page, ui, errors } = await visit(server.base);
    // Nothing is pending in the demo: there is nothing to rehearse.
    assert.equal(await page.isDisabled(tid('rehearse')), true);

    const model = await ui.model();
    await page.fill(tid('model-editor'), model.replace('display_name TEXT NOT NULL,', 'display_name TEXT NOT NULL,\n    phone TEXT,'));
    await ui.click('autogenerate');
    await page.fill(tid('revision-message'), 'add phone');
    await ui.click('save-revision');
    const [id] = (await ui.nodes()).filter(([, state]) => state === 'pending').map(([id]) => id);
    assert.ok(id, 'the new revision is pending');
    assert.equal(await page.isDisabled(tid('rehearse')), false);

    const before = { bytes: await databaseBytes(page, ui), versions: await ui.versions(), nodes: await ui.nodes(), boxes: await panelBoxes(page) };
    await ui.click('rehearse');
    const report = page.locator(tid('rehearsal'));
    await report.waitFor();
    assert.equal(await report.getAttribute('data-passed'), 'true');
    assert.match(await page.textContent(tid('rehearsal-verdict')), /^Passed/);
    for (const pass of ['up', 'down', 'up-again']) {
        const row = await page.textContent(tid(`rehearsal-step-${id}-${pass}`));
        assert.match(row, /\d+(\.\d)? ms/, `${pass}: its time`);
        assert.match(row, /users 4 → 4/, `${pass}: the rows before and after`);
        assert.match(row, /integrity ok; 0 rows without a parent/, `${pass}: the checks`);
    }
    assert.match(await page.textContent(tid(`rehearsal-${id}`)), /additive/);
    // The panels did not move, and the database is what it was, byte for byte.
    assert.deepEqual(await panelBoxes(page), before.boxes);
    await ui.shot('strata-rehearsal');
    await ui.click('rehearsal-close');
    assert.equal(await page.$(tid('rehearsal')), null);
    assert.deepEqual(await ui.versions(), before.versions);
    assert.deepEqual(await ui.nodes(), before.nodes);
    assert.ok((await databaseBytes(page, ui)).equals(before.bytes), 'the rehearsal did not touch the database');
    assert.deepEqual(errors, []);
    await context.close();
});

test('a down that silently truncates values is the rehearsal\'s finding, and a failing statement its failure', async () => {
    const notes = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);';
    const project = {
        model: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, tag TEXT);\n',
        revisions: [
            revisionFile('0001', null, 'notes', notes, 'DROP TABLE notes;'),
            revisionFile('0002', '0001', 'tag notes', 'ALTER TABLE notes ADD COLUMN tag TEXT;',
                'CREATE TABLE notes_old (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n' +
                'INSERT INTO notes_old (id, body) SELECT id, substr(body, 1, 4) FROM notes;\n' +
                'DROP TABLE notes;\nALTER TABLE notes_old RENAME TO notes;'),
        ],
        applied: '0001',
        data: "INSERT INTO notes (body) VALUES ('remember the milk'), ('call grace'), ('ship it');",
    };
    const { context, page, ui, errors } = await visit(linkOf(server.base, project));
    assert.deepEqual(await ui.versions(), ['0001']);
    const bytes = await databaseBytes(page, ui);

    await ui.click('rehearse');
    await page.locator(tid('rehearsal')).waitFor();
    assert.equal(await page.getAttribute(tid('rehearsal'), 'data-passed'), 'false');
    assert.match(await page.textContent(tid('rehearsal-problems')),
        /0002 \(down\): after up and down, notes\.body: its values differ \(content digest\), and no statement of the revisions declares that loss/);
    assert.match(await page.textContent(tid('rehearsal-step-0002-down')), /notes\.body: its values differ \(content digest\): a silent loss/);
    await ui.shot('strata-rehearsal-silent-loss');
    await ui.click('rehearsal-close');
    assert.ok((await databaseBytes(page, ui)).equals(bytes));
    assert.deepEqual(await ui.nodes(), [['0001', 'applied'], ['0002', 'pending']]);

    // A statement that fails on the copy: the report names it with SQLite's message, and the
    // database keeps its state.
    const failing = {
        ...project,
        revisions: [project.revisions[0], revisionFile('0002', '0001', 'unique first words',
            'CREATE UNIQUE INDEX notes_first ON notes (substr(body, 1, 4));', 'DROP INDEX notes_first;')],
        data: project.data.replace(";", ", ('call ada');"),
    };
    await context.close();
    const second = await visit(linkOf(server.base, failing));
    const before = await databaseBytes(second.page, second.ui);
    await second.ui.click('rehearse');
    const failure = await second.page.textContent(tid('rehearsal-failure'));
    assert.match(failure, /Revision 0002 \(unique first words\) failed going up, at statement 1/);
    assert.match(failure, /CREATE UNIQUE INDEX notes_first/);
    assert.match(failure, /UNIQUE constraint failed/);
    await second.ui.click('rehearsal-close');
    assert.ok((await databaseBytes(second.page, second.ui)).equals(before));
    assert.deepEqual(errors, []);
    assert.deepEqual(second.errors, []);
    await second.context.close();
});

test('each revision shows whether it is additive or breaking, and why on hover', async () => {
    const { context, page, ui, errors } = await visit(server.base);
    assert.equal(await page.getAttribute(tid('class-0001'), 'data-class'), 'additive');
    assert.match(await page.getAttribute(tid('class-0001'), 'title'), /^additive: old code keeps working/);

    // Dropping a column is breaking: the reason, why, and the expand/contract way on hover.
    const model = await ui.model();
    await page.fill(tid('model-editor'), model.replace(/\s*created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP/, '').replace('display_name TEXT NOT NULL,', 'display_name TEXT NOT NULL'));
    await ui.click('autogenerate');
    await page.fill(tid('revision-message'), 'drop created_at');
    await ui.click('save-revision');
    const [id] = (await ui.nodes()).filter(([, state]) => state === 'pending').map(([id]) => id);
    assert.equal(await page.getAttribute(tid(`class-${id}`), 'data-class'), 'breaking');
    const why = await page.getAttribute(tid(`class-${id}`), 'title');
    assert.match(why, /^breaking: stop the app/);
    assert.match(why, /created_at/);
    assert.match(why, /instead: /);
    // Not every revision says breaking: the badge is the revision's own.
    assert.equal(await page.getAttribute(tid('class-0002'), 'data-class'), 'additive');
    assert.deepEqual(errors, []);
    await context.close();
});

test('a restore asks first, changes nothing on no, and keeps the current state as a backup on yes', async () => {
    const { context, page, ui, errors } = await visit(server.base);
    await ui.click('backup-now');
    const id = (await page.$$eval('.backup-list li', (items) => items.map((li) => li.dataset.testid.slice('backup-'.length))))[0];
    await ui.runSql('DELETE FROM identities;');
    assert.equal(await ui.tableRows('identities'), 0);
    const backups = () => page.$$eval('.backup-list li', (items) => items.map((li) => li.textContent));

    const listed = await backups();
    await page.click(tid(`restore-${id}`));
    const question = await page.textContent(tid('confirm-restore'));
    assert.match(question, new RegExp(`Restore backup ${id}\\?`));
    assert.match(question, /kept first as a backup labelled “before restore”/);
    await page.click(tid('confirm-restore-no'));
    await ui.settled();
    assert.equal(await page.$(tid('confirm-restore')), null);
    assert.equal(await ui.tableRows('identities'), 0, 'no: nothing was restored');
    assert.deepEqual(await backups(), listed, 'no: no backup was taken');

    await page.click(tid(`restore-${id}`));
    await page.click(tid('confirm-restore-yes'));
    await ui.settled();
    assert.equal(await ui.tableRows('identities'), 5);
    assert.match(await page.textContent(tid('project-notice')), /kept as backup (\d+) \(before restore\)/);
    const [newest] = await backups();
    assert.match(newest, /^before restorebackup \d+ \(automatic\) · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · \d+ KiB/);
    assert.deepEqual(errors, []);
    await context.close();
});
