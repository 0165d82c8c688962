// The lessons in the team's own stack: the SQLModel lessons start in the editor's SQLModel
// tab and are completed there by hand (no "show me"), the newest revision is shown in the
// lesson beside its Alembic script, a vague revision message does not complete lesson 3, and
// lesson 12's rollback file is typed by the learner: a wrong one is refused, the right one,
// tested with a downgrade, completes it. Every completion must survive a reload.
// Run: STRATA_DIST=dist node --test tests/browser/lessons_stack.mjs

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
    await page.click(tid('lessons'));
    await page.waitForSelector(tid('lesson-panel'));
});

after(async () => {
    await browser?.close();
    await server?.close();
});

const tid = (id) => `[data-testid="${id}"]`;

/** Picks the lesson and starts (or restarts) it, and waits for its checks. */
async function start(slug) {
    await page.click(tid(`lesson-${slug}`));
    const button = (await page.$(tid('lesson-start'))) ? 'lesson-start' : 'lesson-restart';
    await page.click(tid(button));
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    await d.settled();
    assert.equal(await page.$(tid('lesson-error')), null, `${slug}: setup ran without error`);
}

/** The checklist: [text, passed] for each check of the stage at hand. */
const checklist = () => page.$$eval(`${tid('lesson-checks')} li`,
    (items) => items.map((li) => [li.textContent.trim().replace(/^[✓○]/, ''), li.dataset.pass === 'true']));

/** Waits until the commit panel shows a path matching `pattern` (the worker makes it anew). */
const commitPath = (pattern) => page.waitForFunction((source) =>
    new RegExp(source).test(document.querySelector('[data-testid="lesson-commit-path"]')?.textContent ?? ''),
pattern.source, { timeout: 20_000 });

/** Whether the SQLModel tab is the one the editor shows. */
const inSqlmodelTab = async () =>
    (await page.getAttribute(tid('model-tab-sqlmodel'), 'aria-selected')) === 'true';

/** Types the model, autogenerates, saves it as `message` and upgrades to head. */
async function migrate(model, message, { confirm = false } = {}) {
    await page.fill(tid('model-editor'), model);
    await d.click('autogenerate');
    if (confirm) await d.click('confirm-rename');
    await page.fill(tid('revision-message'), message);
    await d.click('save-revision');
    await d.click('upgrade-head');
}

/** The lesson is complete and done, and still is after a reload, in the SQLModel tab if `tab`. */
async function completedAndKept(slug, { sqlmodel = false } = {}) {
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid(`lesson-${slug}`), 'data-done'), 'true');
    assert.equal(await page.getAttribute(tid(`lesson-${slug}`), 'data-seen'), 'false', `${slug}: no show me`);
    await page.reload();
    await d.settled();
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid(`lesson-${slug}`), 'data-done'), 'true', `${slug}: done after a reload`);
    if (sqlmodel) assert.ok(await inSqlmodelTab(), `${slug}: the SQLModel tab after a reload`);
}

/** The commit panel of the lesson: the path, strata's up SQL and the Alembic script. */
async function commit() {
    await page.waitForSelector(tid('lesson-commit'), { timeout: 20_000 });
    return {
        path: (await page.textContent(tid('lesson-commit-path'))).trim(),
        up: await page.textContent(tid('lesson-commit-up')),
        down: await page.textContent(tid('lesson-commit-down')),
        alembic: await page.textContent(tid('lesson-commit-alembic')),
    };
}

const COUPON = '\n\nclass Coupon(SQLModel, table=True):\n    __tablename__ = "coupons"\n'
    + '    code: str = Field(primary_key=True)\n    percent_off: int\n';

/** Lesson 3's classes fixed by hand: the type, the index and the Coupon class. */
const fixed = (model) => model.replace(
    'status: int = Field(default="new", sa_column_kwargs',
    'status: str = Field(default="new", index=True, sa_column_kwargs') + COUPON;

test('lesson autogenerate in the SQLModel tab: a vague message refused, then done by hand with the Alembic script shown', async () => {
    await start('autogenerate');
    assert.ok(await inSqlmodelTab(), 'the lesson starts in the SQLModel tab');
    const model = await d.model();
    assert.match(model, /class Order\(SQLModel, table=True\):/);
    assert.match(model, /status: int = /);
    // Before the learner saves anything, the panel shows the setup's revision as it would be
    // committed.
    assert.match((await commit()).path, /^alembic\/versions\/[0-9a-f]+_create_customers_orders_and_coupons\.py$/);

    // The right change under a message that says nothing: every check but the message passes.
    await migrate(fixed(model), 'changes');
    await commitPath(/_changes\.py$/);
    const vague = await checklist();
    assert.deepEqual(vague.filter(([, pass]) => !pass).map(([what]) => what),
        ['its message says what it does (not "update", "changes" or "fix")']);
    assert.equal(await page.$(tid('lesson-complete')), null, 'a vague message does not complete it');

    // Again, with a message that says what the revision does.
    await page.click(tid('lesson-restart'));
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    await d.settled();
    assert.ok(await inSqlmodelTab());
    await migrate(fixed(await d.model()), 'add status to orders');
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    await commitPath(/_add_status_to_orders\.py$/);
    const made = await commit();
    assert.match(made.path, /^alembic\/versions\/[0-9a-f]+_add_status_to_orders\.py$/);
    assert.match(made.up, /ADD COLUMN "?status"? VARCHAR NOT NULL DEFAULT 'new'/);
    assert.match(made.up, /CREATE INDEX "?ix_orders_status"?/);
    assert.match(made.alembic, /op\.add_column\("orders", sa\.Column\("status"/);
    assert.match(made.alembic, /op\.create_index\("ix_orders_status", "orders", \["status"\]/);
    assert.match(made.alembic, /def downgrade\(\) -> None:/);
    // The screenshot starts at the commit's path, strata's SQL under it and the script after.
    await page.$eval(tid('lesson-commit'), (el) => el.scrollIntoView({ block: 'start' }));
    await d.shot('strata-lesson-sqlmodel-commit');
    await completedAndKept('autogenerate', { sqlmodel: true });
    await commitPath(/_add_status_to_orders\.py$/);
});

test('lesson rename in the SQLModel tab: the rename and its rollback by hand, the script shows alter_column', async () => {
    await start('rename');
    assert.ok(await inSqlmodelTab());
    const model = await d.model();
    assert.match(model, /email: str/);
    await migrate(model.replace('email: str', 'email_address: str'), 'rename email to email_address', { confirm: true });
    await page.waitForSelector(`${tid('lesson-stages')}[data-stage="2"]`, { timeout: 20_000 });
    await commitPath(/_rename_email_to_email_address\.py$/);
    const renamed = await commit();
    assert.match(renamed.path, /_rename_email_to_email_address\.py$/);
    assert.match(renamed.up, /RENAME COLUMN "email" TO "email_address"/);
    assert.match(renamed.alembic, /op\.alter_column\("users", "email", new_column_name="email_address"\)/);
    assert.match(renamed.alembic, /op\.alter_column\("users", "email_address", new_column_name="email"\)/);
    await d.click('downgrade-one');
    await completedAndKept('rename', { sqlmodel: true });
    // Rolled back, the revision is still there, pending.
    assert.match(await page.textContent(`${tid('lesson-commit')} summary`), /\(pending\)/);
});

test('lesson data-migrations in the SQLModel tab: nullable, backfill, then required, by hand', async () => {
    await start('data-migrations');
    assert.ok(await inSqlmodelTab());
    const model = await d.model();
    await migrate(model.replace('last_name: str\n', 'last_name: str\n    full_name: str | None = None\n'), 'add full_name to people, nullable for now');
    await d.click('lesson-tool-1');
    assert.match(await page.textContent(tid('lesson-notes')), /batch 5: 1000 rows, 5000 of 5000 done/);
    await migrate(model.replace('last_name: str\n', 'last_name: str\n    full_name: str\n'), 'people: full_name is required');
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    await commitPath(/_people_full_name_is_required\.py$/);
    // A NOT NULL change is a table rebuild on SQLite, which the script writes as a batch block.
    assert.match((await commit()).alembic, /with op\.batch_alter_table\("people"/);
    await completedAndKept('data-migrations', { sqlmodel: true });
});

test('lesson migrate-script: the rollback file typed by the learner, a wrong one refused, the right one tested', async () => {
    await start('migrate-script');
    await d.click('lesson-tool-1');
    await page.waitForSelector(`${tid('lesson-stages')}[data-stage="2"]`, { timeout: 20_000 });
    await d.click('lesson-tool-2');
    await page.waitForSelector(tid('lesson-rollback-text'));
    await commitPath(/^alembic\/versions\/002_add_phone_and_address_to_users\.py$/);

    // A rollback that drops the whole table: saved, applied, and refused when the check runs it.
    await page.fill(tid('lesson-rollback-text'), 'DROP TABLE usertable;\n');
    await d.click('lesson-rollback-save');
    await page.waitForFunction(() => document.querySelector('[data-testid="lesson-commit-down"]')?.textContent.includes('DROP TABLE usertable'));
    await d.click('upgrade-head');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="lesson-checks"] li')]
        .some((li) => li.textContent.includes('002 is applied again') && li.dataset.pass === 'true'));
    const refused = await checklist();
    assert.deepEqual(refused.filter(([, pass]) => !pass).map(([what]) => what.split(',')[0]),
        ['your rollback', 'you tested it: a downgrade ran it']);
    // The check ran it on the database, and took it back: the users are still there.
    await d.runSql('SELECT count(*) AS users FROM usertable;');
    assert.match(await page.textContent(tid('console-result')), /^users\s*2$/);
    // Once 002 is applied its file is checksummed: the down SQL cannot change any more.
    await page.fill(tid('lesson-rollback-text'), 'ALTER TABLE usertable DROP COLUMN address;\n');
    await d.click('lesson-rollback-save');
    assert.match(await page.textContent(tid('lesson-error')), /revision 002 is applied/);

    // Again from the start, with the right rollback, tested with a downgrade and back up.
    await page.click(tid('lesson-restart'));
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    await d.settled();
    await d.click('lesson-tool-1');
    await page.waitForSelector(`${tid('lesson-stages')}[data-stage="2"]`, { timeout: 20_000 });
    await d.click('lesson-tool-2');
    assert.match(await page.inputValue(tid('lesson-rollback-text')), /^-- 002_add_user_phone_rollback\.sql/);
    await page.fill(tid('lesson-rollback-text'),
        '-- 002_add_user_phone_rollback.sql\nALTER TABLE usertable DROP COLUMN address;\nALTER TABLE usertable DROP COLUMN phone;\n');
    await d.click('lesson-rollback-save');
    await d.click('upgrade-head');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="lesson-checks"] li')]
        .some((li) => li.textContent.includes('your rollback') && li.dataset.pass === 'true'));
    assert.equal(await page.$(tid('lesson-complete')), null, 'not tested yet');
    await d.click('downgrade-one');
    if (await page.$(tid('confirm-downgrade-yes'))) await d.click('confirm-downgrade-yes');
    assert.equal(await page.$(tid('lesson-complete')), null, 'rolled back, not applied again');
    await d.click('upgrade-head');
    const script = (await commit()).alembic;
    assert.match(script, /def downgrade\(\) -> None:[\s\S]*op\.drop_column\("usertable", "address"\)/);
    await completedAndKept('migrate-script');
});

test('the stack lessons raised no uncaught error', () => {
    assert.deepEqual(errors, []);
});
