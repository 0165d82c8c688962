// End-to-end tests of a playground that never misleads (issue 17 §3), in Debian's headless
// Chromium: no "Loaded" notice while a link loads or beside a refused link's error (every
// notice ever drawn is recorded from the first paint on), a decompression bomb called too large,
// a lesson's Start clearing the last lesson's notices, console text and results, messages that
// name only what the playground has, a pending revision that fails to apply discarded (after a
// question), and automatic backups pruned to the newest three of each label, readably listed.
//
// Runs against a release build: STRATA_DIST=... node --test tests/browser/notices.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { driver, freshPage, launch, serve } from './support.mjs';
import { linkOf, revisionFile } from './links.mjs';

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

/**
 * A fresh profile whose page records every project notice it ever draws, with whether the
 * link's table was on the page at that moment, before any of the page's own script runs.
 */
async function watched(url) {
    const { context, page, errors } = await freshPage(browser);
    await page.addInitScript(() => {
        window.noticesSeen = [];
        new MutationObserver(() => {
            const notice = document.querySelector('[data-testid="project-notice"]');
            const text = notice?.textContent ?? null;
            const last = window.noticesSeen[window.noticesSeen.length - 1];
            if (text !== null && text !== last?.text) {
                window.noticesSeen.push({ text, linked: !!document.querySelector('[data-testid="table-notes"]') });
            }
        }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const ui = driver(page);
    await page.goto(url);
    await ui.settled();
    return { context, page, ui, errors, seen: () => page.evaluate(() => window.noticesSeen) };
}

const notesProject = (data) => ({
    model: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n',
    revisions: [revisionFile('0001', null, 'notes', 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);', 'DROP TABLE notes;')],
    applied: 'head',
    data,
});

test('no "Loaded" notice is drawn while a link loads or beside a refused link\'s error', async () => {
    // A link the worker refuses (its rows fit no table): only the error, never a notice.
    const refused = await watched(linkOf(server.base, notesProject('INSERT INTO nowhere VALUES (1);')));
    const error = refused.page.locator(`.project-panel ${tid('error')}`);
    await error.waitFor();
    assert.match(await error.textContent(), /no such table: nowhere/);
    assert.equal(await refused.page.$(tid('project-notice')), null);
    assert.deepEqual(await refused.seen(), [], 'no notice was ever drawn');
    assert.deepEqual(await refused.ui.versions(), ['0001', '0002'], 'the demo stays');
    await refused.context.close();

    // A link that loads: one notice, drawn only once the link's database was there.
    const loaded = await watched(linkOf(server.base, notesProject("INSERT INTO notes (body) VALUES ('hello');")));
    await loaded.page.locator(tid('project-notice')).waitFor();
    const seen = await loaded.seen();
    assert.ok(seen.length >= 1, 'the load was announced');
    for (const { text, linked } of seen) {
        assert.match(text, /^Loaded: the database, its revisions and the model were replaced\./);
        assert.ok(linked, `"${text}" was drawn while the link was still loading`);
    }
    assert.deepEqual(loaded.errors, []);
    await loaded.context.close();
});

test('a decompression bomb of a link is too large, not damaged', async () => {
    const bomb = `${server.base}#project=${deflateSync(Buffer.alloc((16 << 20) + 1024, 32), { level: 9 }).toString('base64url')}`;
    const { context, page, ui, seen } = await watched(bomb);
    const error = page.locator(tid('error'));
    await error.waitFor();
    const text = await error.textContent();
    assert.match(text, /the share link is too large: it unpacks to more than 16 MiB/);
    assert.doesNotMatch(text, /damaged/);
    assert.deepEqual(await seen(), []);
    assert.deepEqual(await ui.versions(), ['0001', '0002']);
    await context.close();
});

test('a lesson\'s Start clears the last lesson\'s notices, console text and results', async () => {
    const { context, page, ui, errors } = await watched(server.base);
    await page.click(tid('lessons'));
    await page.click(tid('lesson-autogenerate'));
    await page.click(tid('lesson-start'));
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    await ui.settled();
    // Work of that lesson: a console text and its result, and a backup's notice.
    await ui.runSql('SELECT * FROM no_such_table;');
    assert.match(await page.textContent(tid('error')), /no such table/);
    await ui.runSql('SELECT 1 AS one;');
    assert.ok(await page.$(tid('console-result')));
    await ui.click('backup-now');
    assert.ok(await page.$(tid('project-notice')));
    assert.ok(await page.$(tid('console-result')));

    await page.click(tid('lesson-moving-around'));
    await page.click(tid('lesson-start'));
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    await ui.settled();
    assert.equal(await page.inputValue(tid('console-input')), '');
    for (const gone of ['console-result', 'project-notice', 'notice', 'error']) {
        assert.equal(await page.$(tid(gone)), null, `${gone} is cleared by the new lesson's Start`);
    }
    assert.deepEqual(errors, []);
    await context.close();
});

test('a pending revision that fails to apply is discarded after a question, and work goes on', async () => {
    const { context, page, ui, errors } = await watched(server.base);
    await ui.runSql("UPDATE users SET display_name = 'Ada Lovelace' WHERE id = 2;");
    const model = await ui.model();
    await page.fill(tid('model-editor'), `${model}CREATE UNIQUE INDEX users_display_name ON users (display_name);\n`);
    await ui.click('autogenerate');
    await page.fill(tid('revision-message'), 'unique names');
    await ui.click('save-revision');
    const [id] = (await ui.nodes()).filter(([, state]) => state === 'pending').map(([id]) => id);
    await ui.click('upgrade-head');
    const failed = await page.textContent(`.migration ${tid('error')}`);
    assert.match(failed, /UNIQUE constraint failed/);
    assert.match(failed, new RegExp(`to write it again, discard revision ${id} \\(Discard, on its card\\)`));
    // Applied revisions cannot be discarded: they have no Discard.
    assert.equal(await page.$(tid('discard-0002')), null);
    assert.equal(await page.$(tid('discard-0001')), null);

    // No keeps it.
    await page.click(tid(`discard-${id}`));
    assert.match(await page.textContent(tid('confirm-discard')), new RegExp(`Discard revision ${id}\\?`));
    await page.click(tid('confirm-discard-no'));
    await ui.settled();
    assert.ok(await page.$(tid(`revision-${id}`)));
    // Yes forgets it, and the database did not change.
    const versions = await ui.versions();
    await page.click(tid(`discard-${id}`));
    await page.click(tid('confirm-discard-yes'));
    await ui.settled();
    assert.equal(await page.$(tid(`revision-${id}`)), null);
    assert.match(await page.textContent(tid('notice')), new RegExp(`^Discarded revision ${id}: it was pending, so the database did not change`));
    assert.deepEqual(await ui.versions(), versions);
    // A better revision saves and applies.
    await page.fill(tid('model-editor'), `${model}CREATE INDEX users_display_name ON users (display_name);\n`);
    await ui.click('autogenerate');
    await page.fill(tid('revision-message'), 'index names');
    await ui.click('save-revision');
    await ui.click('upgrade-head');
    assert.equal((await ui.nodes()).filter(([, state]) => state === 'pending').length, 0);
    // A revision with a child has no Discard; its child has.
    await page.fill(tid('model-editor'), `${model}CREATE INDEX users_display_name ON users (display_name);\nCREATE INDEX users_email_name ON users (email, display_name);\n`);
    await ui.click('autogenerate');
    await page.fill(tid('revision-message'), 'another');
    await ui.click('save-revision');
    const another = (await ui.nodes()).find(([, state]) => state === 'pending')[0];
    await page.fill(tid('model-editor'), `${model}CREATE INDEX users_display_name ON users (display_name);\nCREATE INDEX users_email_name ON users (email, display_name);\nCREATE INDEX users_created ON users (created_at);\n`);
    await ui.click('autogenerate');
    await page.fill(tid('revision-message'), 'third');
    await ui.click('save-revision');
    const discards = await page.$$eval('[data-testid^="discard-"]', (b) => b.map((x) => x.dataset.testid));
    assert.equal(discards.length, 1);
    assert.notEqual(discards[0], `discard-${another}`, 'a pending revision with a child keeps its place');
    assert.deepEqual(errors, []);
    await context.close();
});

test('messages name only what the playground has', async () => {
    const { context, page, ui } = await watched(server.base);
    // A version row of no revision and an edited checksum: the history check's words.
    await ui.runSql("INSERT INTO schema_version (version, applied_at, description, checksum, execution_ms) VALUES ('zz', '2026-01-01T00:00:00Z', '', '', 0); UPDATE schema_version SET checksum = 'forged' WHERE version = '0001';");
    const model = await ui.model();
    await page.fill(tid('model-editor'), model.replace('display_name TEXT NOT NULL,', 'display_name TEXT NOT NULL,\n    phone TEXT,'));
    await ui.click('autogenerate');
    await ui.click('save-revision');
    await ui.click('upgrade-head');
    const text = await page.textContent(`.migration ${tid('error')}`);
    assert.match(text, /revision zz is applied to the database but is not among the revisions/);
    assert.match(text, /revision 0001 was edited after it was applied/);
    for (const word of ['stamp', 'on disk', 'file', 'command', '`strata']) {
        assert.ok(!text.includes(word), `"${word}" in: ${text}`);
    }
    await context.close();
});

test('automatic backups keep the newest three of each label and say what they are', async () => {
    const { context, page, ui, errors } = await watched(server.base);
    await ui.click('backup-now');
    for (let i = 0; i < 5; i++) {
        await ui.runSql(`INSERT INTO users (email, display_name) VALUES ('u${i}@example.com', 'U${i}');`);
        await ui.click('reset');
    }
    const listed = await page.$$eval('.backup-list li', (items) => items.map((li) => ({
        label: li.querySelector('.label').textContent,
        meta: li.querySelector('.muted').textContent,
        automatic: li.dataset.automatic,
    })));
    assert.deepEqual(listed.map((b) => b.label), ['before reset', 'before reset', 'before reset', 'taken by hand']);
    for (const b of listed) {
        const kind = b.automatic === 'true' ? ' \\(automatic\\)' : '';
        assert.match(b.meta, new RegExp(`^backup \\d+${kind} · \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC · \\d+ KiB$`));
    }
    assert.equal(listed[3].automatic, 'false');
    assert.deepEqual(errors, []);
    await context.close();
});
