// The onboarding path as one test, through the page only: from a fresh profile to "rename done
// with every value kept, rolled back, the values still there" (lesson 5's two stages). Every
// click and every text edit goes through `act`, which counts it, and the count is printed: it
// is the number of UI actions a new team member needs for the skill.
// Run: STRATA_DIST=dist node --test tests/browser/onboarding.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
const ADDRESSES = ['ada@example.com', 'grace@example.com', 'alan@example.com'];

test('onboarding: a fresh profile to a rename kept and rolled back, through the UI only', async () => {
    const { page, errors } = await freshPage(browser);
    const d = driver(page);
    const actions = [];
    /** One UI action: a click, or text typed into a field (`text` given). */
    const act = async (testid, text) => {
        actions.push(text === undefined ? `click ${testid}` : `type into ${testid}`);
        if (text === undefined) await page.click(tid(testid));
        else await page.fill(tid(testid), text);
        await d.settled();
    };
    /** The users table as the data grid shows it: its header and its rows' text. */
    const grid = async () => [
        await page.$$eval(`${tid('data-grid')} thead th`, (cells) => cells.map((c) => c.textContent.trim())),
        await d.gridText(),
    ];

    await page.goto(server.base);
    await d.settled();
    await act('lessons');
    await act('lesson-rename');
    await act('lesson-start');
    await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid('lesson-stages'), 'data-stage'), '1');

    // Stage 1: the rename, through a revision, the rename question answered yes.
    const model = await d.model();
    assert.match(model, /email TEXT NOT NULL/);
    await act('model-editor', model.replace('email TEXT', 'email_address TEXT'));
    await act('autogenerate');
    await act('confirm-rename');
    assert.match(await page.textContent(tid('migration-up-sql')), /RENAME COLUMN "email" TO "email_address"/);
    assert.match(await page.textContent(tid('migration-down-sql')), /RENAME COLUMN "email_address" TO "email"/);
    await act('revision-message', 'rename email to email_address');
    await act('save-revision');
    await act('upgrade-head');
    await page.waitForSelector(`${tid('lesson-stages')}[data-stage="2"]`, { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid('lesson-stage-1'), 'data-state'), 'passed');
    assert.equal(await page.$(tid('lesson-complete')), null, 'the rollback is still to do');
    const [renamed, renamedRows] = await grid();
    assert.ok(renamed.includes('email_address') && !renamed.includes('email'), `${renamed}`);
    for (const address of ADDRESSES) assert.ok(renamedRows.includes(address), `${address} kept by the rename`);

    // Stage 2: roll it back; the values come back under their old name.
    await act('downgrade-one');
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid('lesson-rename'), 'data-done'), 'true');
    const [back, backRows] = await grid();
    assert.ok(back.includes('email') && !back.includes('email_address'), `${back}`);
    for (const address of ADDRESSES) assert.ok(backRows.includes(address), `${address} still there after the rollback`);
    assert.equal((await d.versions()).length, 1, 'only the first revision is applied');

    // It is kept: a reload shows the lesson done, and the rollback's data still there.
    await page.reload();
    await d.settled();
    await page.waitForSelector(tid('lesson-complete'), { timeout: 20_000 });
    assert.equal(await page.getAttribute(tid('lesson-rename'), 'data-done'), 'true');
    assert.deepEqual(errors, []);

    console.log(`onboarding path: ${actions.length} UI actions (${actions.filter((a) => a.startsWith('click')).length} clicks, `
        + `${actions.filter((a) => a.startsWith('type')).length} text edits): ${actions.join(', ')}`);
    assert.equal(actions.length, 10);
});
