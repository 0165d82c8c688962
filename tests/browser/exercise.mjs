// End-to-end tests of "make your own exercise": a teacher makes an exercise of the project
// through the page (the goal written in the model editor, the database left where the learner
// starts, a text and row checks in the dialog) and shares its link; a learner opens it in a
// fresh browser profile, is refused the console's way and has no "show me", does the task
// through a revision, and the completion survives a reload. Then hostile and broken exercise
// links, each refused with its error while the visitor's project stays as it was.
// Run: STRATA_DIST=dist node --test tests/browser/exercise.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync, inflateSync } from 'node:zlib';
import { driver, freshPage, launch, serve } from './support.mjs';

let server;
let browser;
/** The link the teacher made, shared with the next tests. */
let link;

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
 * A model of the demo's schema with a nickname column: the exercise's goal. It reads the demo's
 * own model and the start's, which is the database's schema as strata writes it (names quoted).
 */
const withNickname = (model) => model.replace(/("?display_name"? TEXT NOT NULL,)/, '$1\n    nickname TEXT,');

/** The data-pass of each check the panel lists, once the checks were evaluated. */
async function passes(page) {
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    return page.$$eval(`${tid('lesson-checks')} li`, (items) => items.map((li) => li.dataset.pass === 'true'));
}

/** Waits until the checks read `expected` (they are evaluated again after each reply). */
async function waitForPasses(page, expected) {
    await page.waitForFunction((want) => {
        const list = document.querySelector('[data-testid="lesson-checks"][data-checked="true"]');
        if (!list) return false;
        const got = Array.from(list.querySelectorAll('li'), (li) => li.dataset.pass === 'true');
        return JSON.stringify(got) === JSON.stringify(want);
    }, expected, { timeout: 20_000 });
}

test('an exercise made through the page, shared, opened in a fresh profile and completed by a revision', async () => {
    // The teacher: the goal in the model editor, not applied; the database stays the demo.
    const teacher = await freshPage(browser);
    const t = driver(teacher.page);
    await teacher.page.goto(server.base);
    await t.settled();
    const goal = withNickname(await t.model());
    assert.notEqual(goal, await t.model());
    await teacher.page.fill(tid('model-editor'), goal);
    await t.settled();
    await teacher.page.click(tid('lessons'));
    await teacher.page.click(tid('make-exercise'));
    await teacher.page.fill(tid('exercise-title'), 'Add a nickname');
    await teacher.page.fill(tid('exercise-text'), 'Every user may pick a **nickname**. Add the column through a revision; keep every user.');
    await teacher.page.fill(tid('exercise-checks'), 'SELECT count(*) FROM users => 4\nSELECT email FROM users ORDER BY id');
    await t.click('exercise-make');
    assert.equal(await teacher.page.$(tid('exercise-error')), null);
    link = await teacher.page.inputValue(tid('exercise-url'));
    assert.ok(link.startsWith(`${server.base}#exercise=`), link);
    // Making it changed nothing of the teacher's.
    assert.deepEqual(await t.versions(), ['0001', '0002']);
    assert.equal(await t.model(), goal);
    // A text the lessons' filter would drop is refused before any link is made.
    await teacher.page.fill(tid('exercise-text'), 'Click [here](javascript:alert(1))');
    await t.click('exercise-make');
    assert.match(await teacher.page.textContent(tid('exercise-error')),
        /the exercise's text holds a link to `javascript:alert\(1\)`, which the playground does not show/);
    assert.equal(await teacher.page.$(tid('exercise-url')), null);
    await teacher.page.click(tid('exercise-close'));
    assert.deepEqual(teacher.errors, []);
    await teacher.context.close();

    // The learner, in a fresh profile.
    const learner = await freshPage(browser);
    const page = learner.page;
    const l = driver(page);
    await page.goto(link);
    await l.settled();
    assert.equal(new URL(page.url()).hash, '', 'the fragment is cleared once read');
    await page.waitForSelector(tid('lesson-panel'));
    assert.equal(await page.textContent('.lesson-title'), 'Exercise: Add a nickname');
    assert.match(await page.textContent(tid('lesson-text')), /Every user may pick a nickname\./);
    assert.match(await page.innerHTML(tid('lesson-text')), /<strong>nickname<\/strong>/);
    assert.ok(await page.$(`${tid('lesson-world-exercise')} [data-done="false"]`));
    assert.equal(await l.tableRows('users'), 4);
    assert.doesNotMatch(await l.model(), /nickname/, 'the start\'s model is the database\'s schema, not the goal');
    assert.deepEqual(await passes(page), [false, true, true, true]);
    // The goal is drawn beside the task, with the missing column marked.
    await page.waitForSelector(`${tid('lesson-goal')} svg`);
    assert.ok(Number(await page.getAttribute(tid('lesson-goal'), 'data-differs')) >= 1);
    assert.ok(await page.isDisabled(tid('lesson-show-me')), 'an exercise has no show me');
    await page.locator(tid('lesson-goal')).scrollIntoViewIfNeeded();
    await l.shot('strata-exercise-goal');

    // The console's way reaches the schema but not through a revision: not done.
    await l.runSql('ALTER TABLE users ADD COLUMN nickname TEXT');
    await waitForPasses(page, [true, false, true, true]);
    assert.equal(await page.$(tid('lesson-complete')), null);

    // Restart puts the start back (what the console did is kept as a backup first).
    await page.click(tid('lesson-restart'));
    await waitForPasses(page, [false, true, true, true]);
    await l.settled();
    assert.doesNotMatch(await l.model(), /nickname/);

    // The task, through a revision.
    const task = withNickname(await l.model());
    assert.match(task, /nickname/);
    await page.fill(tid('model-editor'), task);
    await l.click('autogenerate');
    await page.fill(tid('revision-message'), 'add nicknames');
    await l.click('save-revision');
    await l.click('upgrade-head');
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    await l.settled();
    assert.equal(await page.getAttribute(`${tid('lesson-world-exercise')} button`, 'data-done'), 'true');

    // The completion survives a reload, and the exercise is still the open lesson.
    await page.reload();
    await l.settled();
    await page.waitForSelector(tid('lesson-panel'));
    assert.equal(await page.getAttribute(`${tid('lesson-world-exercise')} button`, 'data-done'), 'true');
    assert.equal(await page.textContent('.lesson-title'), 'Exercise: Add a nickname');
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    assert.deepEqual(learner.errors, []);
    await learner.context.close();
});

/** The exercise inside a link, as a value. */
const unpack = (url) => JSON.parse(inflateSync(Buffer.from(url.split('#exercise=')[1], 'base64url')).toString('utf8'));
const pack = (value) => `${server.base}#exercise=${deflateSync(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))).toString('base64url')}`;

test('a hostile or broken exercise link is refused with its error, and the visitor\'s project stays', async () => {
    assert.ok(link, 'the first test made a link');
    const visitor = await freshPage(browser);
    const page = visitor.page;
    const v = driver(page);
    await page.goto(server.base);
    await v.settled();
    // The visitor's own work, which no refused link may touch.
    await v.runSql("INSERT INTO users (email, display_name) VALUES ('mine@example.com', 'Mine')");
    const state = async () => [await v.versions(), await v.nodes(), await v.gridText(), await v.model(),
        await v.tableRows('users'), await page.$$eval('.backup-list li', (l) => l.length)];
    const before = await state();

    const exercise = unpack(link);
    const cases = [
        [{ ...exercise, text: 'Hello <script>alert(document.cookie)</script>' },
            /the exercise's text holds raw HTML `<script>`, which the playground does not show .*: remove it; nothing was changed/],
        [{ ...exercise, text: '![pixel](https://evil.example/p.gif)' }, /the exercise's text holds an image/],
        [{ ...exercise, checks: [{ sql: 'DELETE FROM users', expect: [] }] },
            /row check 1 is a DELETE statement, and a row check may only read \(one SELECT\); nothing was changed/],
        [{ ...exercise, checks: [{ sql: 'SELECT 1; DROP TABLE users', expect: [] }] }, /row check 1 holds 2 statements/],
        [{ ...exercise, goal: 'CREATE TABLE users (id INTEGER PRIMARY KEY,' }, /the exercise's goal schema does not read \(.*\); nothing was changed/],
        [{ ...exercise, goal: exercise.start.model }, /the exercise's start already has the goal schema/],
        [{ ...exercise, format: 'strata-exercise/9' }, /the exercise has format "strata-exercise\/9"/],
        [' '.repeat((16 << 20) + 1), /the exercise link is too large: it unpacks to more than 16 MiB/],
    ];
    for (const [value, message] of cases) {
        await page.goto(pack(value));
        await page.reload();
        await v.settled();
        const error = page.locator(tid('error'));
        await error.waitFor({ state: 'visible' });
        assert.match(await error.textContent(), message);
        assert.match(await error.textContent(), /nothing was changed$/);
        assert.deepEqual(await state(), before, `${message}: the visitor's project is unchanged`);
        assert.equal(await page.$(tid('lesson-world-exercise')), null, `${message}: no exercise was opened`);
        assert.equal(new URL(page.url()).hash, '');
    }
    // Damaged on the way (cut short): refused as damaged.
    await page.goto(link.slice(0, link.length - 40));
    await page.reload();
    await v.settled();
    assert.match(await page.textContent(tid('error')), /the exercise link is damaged or cut short/);
    assert.deepEqual(await state(), before);
    assert.deepEqual(visitor.errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await visitor.context.close();
});
