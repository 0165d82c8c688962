// End-to-end tests of the lessons on what autogenerate misses and on the production runbook,
// and of the goals drawn with their target schema_version rows. Each new lesson: Start and
// "show me" mark it seen and not done (also after a reload); its wrong way leaves a check
// unmet; done by hand through the page, the completion survives a reload. A screenshot of each
// at 1280x800 with its goal drawn is kept in SCREENSHOT_DIR.
// Run: STRATA_DIST=dist node --test tests/browser/lessons_more.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { driver, freshPage, launch, serve } from './support.mjs';

let server;
let browser;
let page;
let errors;
let d;

before(async () => {
    server = await serve();
    browser = await launch();
    ({ page, errors } = await freshPage(browser));
    d = driver(page);
    await page.goto(server.base);
    await d.settled();
});

after(async () => {
    await browser?.close();
    await server?.close();
});

const tid = (id) => `[data-testid="${id}"]`;
const checksRead = `${tid('lesson-checks')}[data-checked="true"]`;
const checklist = () => page.$$eval('[data-testid="lesson-checks"] li',
    (items) => items.map((li) => [li.textContent, li.dataset.pass === 'true']));
/** Whether the check whose text starts with `what` passes now. */
async function passes(what) {
    // Each item starts with its mark (✓ or ○), then the check's text.
    const found = (await checklist()).find(([text]) => text.replace(/^[✓○]\s*/, '').startsWith(what));
    assert.ok(found, `no check ${what}`);
    return found[1];
}
const done = (slug) => page.getAttribute(tid(`lesson-${slug}`), 'data-done');
const stage = () => page.getAttribute(tid('lesson-stages'), 'data-stage');

/** Opens the panel if needed, picks the lesson and starts (or restarts) it. */
async function start(slug) {
    if (!(await page.$(tid('lesson-panel')))) await page.click(tid('lessons'));
    await page.click(tid(`lesson-${slug}`));
    const button = (await page.$(tid('lesson-start'))) ? 'lesson-start' : 'lesson-restart';
    await page.click(tid(button));
    await page.waitForSelector(checksRead, { timeout: 20_000 });
    await d.settled();
    assert.equal(await page.$(tid('lesson-complete')), null, `${slug}: not complete after setup`);
    assert.equal(await page.$(tid('lesson-error')), null, `${slug}: setup ran without error`);
}

async function restart() {
    await page.click(tid('lesson-restart'));
    await page.waitForSelector(checksRead, { timeout: 20_000 });
    await d.settled();
    assert.equal(await page.$(tid('lesson-complete')), null);
}

/** The lesson's checks have been evaluated since the last reply, and one of them fails. */
async function notDone(slug) {
    await page.waitForSelector(`${tid('lesson-checks')} li[data-pass="false"]`, { timeout: 20_000 });
    await d.settled();
    assert.equal(await page.$(tid('lesson-complete')), null, `${slug}: the wrong way does not complete it`);
    assert.equal(await done(slug), 'false');
}

/** "Show me" (every stage of it) makes the lesson seen, never done, also after a reload. */
async function showMeDoesNotCount(slug, stages = 1) {
    await start(slug);
    for (let n = 1; n <= stages; n += 1) {
        if (stages > 1) await page.waitForSelector(`${tid('lesson-stages')}[data-stage="${n}"]`, { timeout: 20_000 });
        await page.click(tid('lesson-show-me'));
        await d.settled();
    }
    await page.waitForSelector(tid('lesson-shown'), { timeout: 20_000 });
    assert.ok((await checklist()).every(([, pass]) => pass), `${slug}: show me passes every check`);
    const seenNotDone = async () => {
        assert.equal(await page.$(tid('lesson-complete')), null);
        assert.equal(await done(slug), 'false', `${slug}: show me does not complete it`);
        assert.equal(await page.getAttribute(tid(`lesson-${slug}`), 'data-seen'), 'true');
    };
    await seenNotDone();
    await page.reload();
    await d.settled();
    await page.waitForSelector(tid('lesson-shown'), { timeout: 20_000 });
    await seenNotDone();
    await restart();
}

/** The completion shows, and survives a reload. */
async function completed(slug) {
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    await d.settled();
    assert.equal(await done(slug), 'true');
    const progress = await page.textContent(tid('lesson-progress'));
    await page.reload();
    await d.settled();
    await page.waitForSelector(tid('lesson-panel'));
    assert.equal(await done(slug), 'true', `${slug}: done after a reload`);
    assert.equal(await page.textContent(tid('lesson-progress')), progress);
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
}

/** The goal is drawn, with `differs` parts still marked (more than zero when `some`). */
async function goalDrawn() {
    await page.waitForSelector(tid('lesson-goal'), { timeout: 20_000 });
    return Number(await page.getAttribute(tid('lesson-goal'), 'data-differs'));
}

/** The id of the revision whose message is `message`. */
const revisionId = (message) => page.$eval(
    `xpath=//li[starts-with(@data-testid, "revision-")][.//span[@class="message" and text()="${message}"]]`,
    (li) => li.dataset.testid.replace(/^revision-/, ''));

test('lesson autogenerate-misses: the teammate\'s draft is discarded and both changes shipped, audit_log kept', async () => {
    await page.click(tid('lessons'));
    await showMeDoesNotCount('autogenerate-misses');
    // The goal is drawn beside the lesson, with the differences still to make marked.
    assert.ok(await goalDrawn() > 0, 'the goal differs at the start');
    await page.locator(tid('lesson-goal')).scrollIntoViewIfNeeded();
    await d.shot('strata-lesson-autogenerate-misses');
    // The teammate's revision drops audit_log and nothing else.
    const teammate = await revisionId('plan defaults to free, invoice amounts are integers');
    assert.equal(teammate, '3f9a2c71d8e4');

    // The wrong way: upgrade with the draft as it is. The page asks, since audit_log's rows
    // would go; say yes.
    await d.click('upgrade-head');
    await d.click('confirm-upgrade-yes');
    await notDone('autogenerate-misses');
    assert.equal(await passes('audit_log is still there'), false);
    assert.equal(await passes('the teammate\'s revision is not applied'), false);

    // The other wrong way: a fix stacked on the draft, which makes audit_log again, empty.
    await restart();
    const withAudit = `${await d.model()}CREATE TABLE audit_log (\n    id INTEGER PRIMARY KEY,\n    event TEXT NOT NULL\n);\n`;
    await page.fill(tid('model-editor'), withAudit);
    await d.click('autogenerate');
    assert.match(await page.textContent(tid('changes')), /create table audit_log/);
    await page.fill(tid('revision-message'), 'fix on top of the draft');
    await d.click('save-revision');
    await d.click('upgrade-head');
    await d.click('confirm-upgrade-yes');
    await notDone('autogenerate-misses');
    assert.equal(await passes('audit_log is still there'), false);

    // The right way: discard the draft, put audit_log back in the model, review, apply.
    await restart();
    await d.click(`discard-${teammate}`);
    await d.click('confirm-discard-yes');
    assert.equal(await page.$(tid(`revision-${teammate}`)), null, 'the draft is gone');
    await page.fill(tid('model-editor'), withAudit);
    await d.click('autogenerate');
    const changes = await page.textContent(tid('changes'));
    assert.doesNotMatch(changes, /drop table audit_log/);
    const up = await page.textContent(tid('migration-up-sql'));
    assert.match(up, /"plan" TEXT NOT NULL DEFAULT 'free'/);
    assert.match(up, /"amount" INTEGER NOT NULL/);
    await page.fill(tid('revision-message'), 'users.plan defaults to free; invoices.amount as INTEGER');
    await d.click('save-revision');
    await d.click('upgrade-head');
    await completed('autogenerate-misses');
    assert.equal(await goalDrawn(), 0, 'the database matches the goal');
    // The Alembic export of the revision has what Alembic's own autogenerate left out.
    const id = await revisionId('users.plan defaults to free; invoices.amount as INTEGER');
    await page.click(`[data-testid="export-${id}"] summary`);
    await d.click(`export-alembic-${id}`);
    const script = await page.textContent(tid('export-file-0'));
    assert.match(script, /server_default=sa\.text\("'free'"\)/);
    assert.match(script, /sa\.Column\("amount", sa\.Integer\(\), nullable=False\)/);
    assert.doesNotMatch(script, /drop_table\("audit_log"\)/);
    await d.click('export-close');
});

/** Waits until the simulated app has made `n` more requests than it had. */
async function appRuns(n = 2) {
    const writes = Number(await page.getAttribute(tid('lesson-app'), 'data-writes'));
    await page.waitForFunction((w) => Number(document.querySelector('[data-testid="lesson-app"]')?.dataset.writes) >= w,
        writes + n, { timeout: 15_000 });
}
const failures = async () => Number(await page.getAttribute(tid('lesson-app'), 'data-failures'));

/** Stage 1 by hand: Back up now, then Rehearse, whose report says breaking. */
async function backUpAndRehearse() {
    await d.click('backup-now');
    await d.click('rehearse');
    await page.waitForSelector(tid('rehearsal'));
    const id = await revisionId('rename users.email to email_address');
    assert.match(await page.textContent(tid(`rehearsal-${id}`)), /breaking/);
    assert.equal(await page.getAttribute(tid(`class-${id}`), 'data-class'), 'breaking');
    await d.click('rehearsal-close');
    await page.waitForSelector(`${tid('lesson-stages')}[data-stage="2"]`, { timeout: 20_000 });
}

test('lesson production-runbook: back up, rehearse, stop for the breaking change, verify, restore', async () => {
    await showMeDoesNotCount('production-runbook', 3);
    assert.equal(await failures(), 0, 'show me never made the app fail');
    await appRuns();

    // The wrong way: the breaking upgrade under the running app v1. Its next request fails.
    await backUpAndRehearse();
    await d.click('upgrade-head');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="lesson-app"]')?.dataset.failures) > 0,
        null, { timeout: 15_000 });
    assert.match(await page.textContent(tid('lesson-app')), /no such column: email/);
    await d.click('lesson-tool-3');
    await notDone('production-runbook');
    assert.equal(await stage(), '2', 'stage 2 is not passed');
    assert.equal(await passes('the app never failed a request'), false);

    // By hand, the runbook's way.
    await restart();
    await appRuns();
    await backUpAndRehearse();
    // Stage 2 draws its goal: users with email_address.
    assert.ok(await goalDrawn() > 0);
    await page.locator(tid('lesson-app')).scrollIntoViewIfNeeded();
    await d.shot('strata-lesson-production-runbook');
    await d.click('lesson-tool-1');
    await page.waitForSelector(`${tid('lesson-app')}[data-stopped="true"]`, { timeout: 15_000 });
    await d.click('upgrade-head');
    await d.click('lesson-tool-4');
    assert.match(await page.textContent(tid('lesson-notes')), /users_columns = id, email_address, name/);
    await d.click('lesson-tool-3');
    await page.waitForSelector(`${tid('lesson-stages')}[data-stage="3"]`, { timeout: 20_000 });
    await appRuns();
    assert.equal(await failures(), 0);

    // Stage 3: stop, restore the backup taken by hand, verify, start v1.
    await d.click('lesson-tool-1');
    await page.locator('.backup-list li', { has: page.locator('.label', { hasText: /^taken by hand$/ }) })
        .first().locator('[data-testid^="restore-"]').click();
    await d.click('confirm-restore-yes');
    await d.click('lesson-tool-4');
    assert.match(await page.textContent(tid('lesson-notes')), /users_columns = id, email, name/);
    await d.click('lesson-tool-2');
    await completed('production-runbook');
    await appRuns();
    assert.equal(await failures(), 0, 'the app never failed');
});

test('lessons 2 and 4 draw their target schema_version rows beside the live ones', async () => {
    await start('version-table');
    await goalDrawn();
    // Nothing applied yet: both rows of the goal are still to apply.
    await page.waitForSelector(tid('goal-versions'));
    assert.equal(await page.getAttribute(tid('goal-version-001'), 'data-mark'), 'added');
    assert.equal(await page.getAttribute(tid('goal-version-002'), 'data-mark'), 'added');
    await d.click('upgrade-head');
    await page.waitForSelector(`${tid('goal-version-002')}[data-mark="same"]`, { timeout: 20_000 });
    assert.equal(await goalDrawn(), 0);

    await start('moving-around');
    // Everything is applied, one revision more than the goal wants: it is marked.
    await page.waitForSelector(`${tid('goal-versions')} tr[data-mark="removed"]`, { timeout: 20_000 });
    const marks = await page.$$eval(`${tid('goal-versions')} tr`, (rows) => rows.map((r) => [r.cells[1].textContent, r.dataset.mark]));
    assert.deepEqual(marks, [
        ['create notes', 'same'], ['add tags', 'same'], ['add pinned to notes', 'same'],
        ['index pinned notes', 'removed'],
    ]);
    await page.locator(tid('goal-versions')).scrollIntoViewIfNeeded();
    await d.shot('strata-lesson-goal-versions');
    await d.click('downgrade-one');
    await page.waitForFunction(() => !document.querySelector('[data-testid="goal-versions"] tr[data-mark="removed"]'),
        null, { timeout: 20_000 });
    assert.equal(await goalDrawn(), 0, 'one step behind head is the goal');
});

test('the pages of these lessons raised no uncaught error', () => {
    assert.deepEqual(errors, []);
});
