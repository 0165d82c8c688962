// The playground fits the screen: at 1024x700, 1280x800, 1440x900 and 1920x1080, and in every
// state a visitor meets (the demo, a rename question, the create_all() report, two heads and
// their merge, an export, a lesson), the page never scrolls (sideways or down) and its top bar
// is one line, no panel or control is drawn over another, the controls a visitor always needs
// are in view, the others can be seen whole once the panel they sit in scrolls, text panes keep
// a usable height, and long names wrap or shorten with the full name on hover.
//
// The browser keeps its scrollbars (Playwright hides them by default), so the page is laid
// out as on a Linux or Windows desktop. Each state's screenshot is kept in
// $SCREENSHOT_DIR/strata-layout (the temp dir by default), named <size>-<state>.png.
// Runs against a release build: STRATA_DIST=... node --test tests/browser/layout.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { driver, freshPage, launch, serve, shots } from './support.mjs';

const SIZES = [
    { width: 1024, height: 700 },
    { width: 1280, height: 800 },
    { width: 1440, height: 900 },
    { width: 1920, height: 1080 },
];

const dir = join(shots, 'strata-layout');
mkdirSync(dir, { recursive: true });

let server;
let browser;

before(async () => {
    server = await serve();
    browser = await launch({ scrollbars: true });
});

after(async () => {
    await browser?.close();
    await server?.close();
});

/** The containers the page is built from; none may be drawn over another. */
const PANELS = ['.topbar', '.column', '.lesson-panel', '.column-head', '.migration-panel', '.revisions-panel',
    '.revisions', '.editor-wrap', '.diagram', '.versions', '.project-panel', '.data', '.console',
    '.create-all', '.sides', '.save-row', '.changes', '.lesson', '.lesson-controls', '.dialog'];

/** Controls every state shows, which must always be in view without scrolling anything. */
const ALWAYS = ['reset', 'lessons', 'storage', 'export-project', 'import-project', 'export-sqlite',
    'import-sqlite', 'share-link', 'autogenerate', 'create-all', 'revision-message', 'save-revision',
    'upgrade-head', 'downgrade-one', 'backup-now', 'console-input', 'console-run'];

/** Names that are never shortened. */
const WHOLE = ['.backup-list .label'];

/** Text panes every state shows, and the least height each must keep. */
const COMMON_PANES = {
    '[data-testid="model-editor"]': 120,
    '[data-testid="console-input"]': 60,
    '.data .grid-wrap': 60,
};

/**
 * Runs in the page: what a visitor would find wrong with the layout, as sentences. `spec`
 * names the containers that must not overlap (`panels`), the controls that must be in view
 * (`fixed`) or in view once their panels scroll (`keys`), the panes that must keep a usable
 * height (`panes`: selector → least height, or the content's height when smaller), the names
 * that are never shortened (`whole`), and whether a dialog is open (then only its own controls are checked for being covered).
 */
function inspect(spec) {
    const problems = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const root = document.documentElement;
    const name = (el) => {
        if (!el) return 'nothing';
        const testid = el.closest('[data-testid]')?.dataset.testid;
        const own = el.dataset?.testid ? `[${el.dataset.testid}]`
            : `${el.tagName.toLowerCase()}${el.classList.length ? '.' + [...el.classList].join('.') : ''}`;
        const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 24);
        return `${own}${testid && !el.dataset?.testid ? ` in [${testid}]` : ''}${text ? ` "${text}"` : ''}`;
    };
    const round = (n) => Math.round(n);
    const meet = (a, b) => ({
        l: Math.max(a.l, b.l), t: Math.max(a.t, b.t), r: Math.min(a.r, b.r), b: Math.min(a.b, b.b),
    });
    const box = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
    const w = (b) => Math.max(0, b.r - b.l);
    const h = (b) => Math.max(0, b.b - b.t);
    // checkVisibility also knows that the content of a closed <details> is not drawn.
    const shown = (el) => {
        const r = el.getBoundingClientRect();
        return el.checkVisibility({ visibilityProperty: true }) && r.width > 0 && r.height > 0;
    };

    /** The part of the window an element's ancestors let it show in, and who clips it most. */
    const clip = (el) => {
        let area = { l: 0, t: 0, r: vw, b: vh };
        let by = null;
        let fixed = getComputedStyle(el).position === 'fixed';
        for (let a = el.parentElement; a && !fixed; a = a.parentElement) {
            const cs = getComputedStyle(a);
            if (cs.position === 'fixed') fixed = true;
            if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
            if (a === document.body || a === root) continue;
            const r = a.getBoundingClientRect();
            const inner = a instanceof SVGElement && !(a instanceof SVGSVGElement) ? box(r) : {
                l: r.left + a.clientLeft, t: r.top + a.clientTop,
                r: r.left + a.clientLeft + (a.clientWidth || r.width), b: r.top + a.clientTop + (a.clientHeight || r.height),
            };
            const next = meet(area, inner);
            if (w(next) * h(next) < w(area) * h(area) - 1) by = a;
            area = next;
        }
        return { area, by };
    };
    const visible = (el) => {
        const { area, by } = clip(el);
        return { seen: meet(box(el.getBoundingClientRect()), area), by };
    };

    /**
     * Scrolls the panels that hold `el` (only those a visitor can scroll: overflow auto or
     * scroll, with something to scroll) so it comes into view, innermost first, as little as
     * possible. The page itself never scrolls, so it is not one of them. Returns an undo.
     */
    const bring = (el) => {
        const saved = [];
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const cs = getComputedStyle(a);
            const sy = /auto|scroll/.test(cs.overflowY) && a.scrollHeight > a.clientHeight;
            const sx = /auto|scroll/.test(cs.overflowX) && a.scrollWidth > a.clientWidth;
            if (!sx && !sy) continue;
            saved.push([a, a.scrollLeft, a.scrollTop]);
            const r = el.getBoundingClientRect();
            const ar = a.getBoundingClientRect();
            const top = ar.top + a.clientTop;
            const left = ar.left + a.clientLeft;
            const nearest = (lo, hi, from, to) => (hi > to ? Math.min(hi - to, lo - from) : lo < from ? lo - from : 0);
            if (sy) a.scrollTop += nearest(r.top, r.bottom, top, top + a.clientHeight);
            if (sx) a.scrollLeft += nearest(r.left, r.right, left, left + a.clientWidth);
        }
        return () => saved.reverse().forEach(([a, x, y]) => { a.scrollLeft = x; a.scrollTop = y; });
    };

    // 1. Nothing scrolls sideways (or down: the page itself never scrolls; its panels do).
    if (root.scrollWidth > vw) {
        const wide = [...document.querySelectorAll('body *')].filter((el) =>
            el.getBoundingClientRect().right > vw + 0.5 && !(el.parentElement.getBoundingClientRect().right > vw + 0.5));
        problems.push(`the page is ${root.scrollWidth} px wide in a ${vw} px window, so it scrolls sideways `
            + `(past the right edge: ${wide.slice(0, 4).map(name).join('; ')})`);
    }
    if (root.scrollHeight > vh) {
        problems.push(`the page is ${root.scrollHeight} px tall in a ${vh} px window`);
    }
    const bar = document.querySelector('.topbar').getBoundingClientRect().height;
    if (bar > 52) problems.push(`the top bar is ${round(bar)} px tall: it takes more than one line`);

    // 2. No two panels or controls are drawn over one another. A dialog is a layer of its
    //    own over the page, so its parts are only compared with each other.
    const parts = [...new Set(document.querySelectorAll(
        [...spec.panels, '[data-testid]', 'button', 'textarea', 'input', 'label.button', 'summary'].join(',')))]
        .filter(shown)
        .map((el) => ({ el, seen: visible(el).seen, layer: el.closest('.overlay') }))
        .filter((p) => w(p.seen) > 0 && h(p.seen) > 0);
    // Nor does anything stick out of the column (or bar, or dialog) it belongs to.
    for (const { el, seen } of parts) {
        // A dialog's overlay covers the window on purpose; it lives in a column only in the DOM.
        const home = el.parentElement?.closest('.topbar, .column, .lesson-panel, .dialog, .overlay');
        if (!home || home.matches('.overlay')) continue;
        const frame = box(home.getBoundingClientRect());
        if (seen.l < frame.l - 1 || seen.t < frame.t - 1 || seen.r > frame.r + 1 || seen.b > frame.b + 1) {
            problems.push(`${name(el)} sticks out of ${name(home)}`);
        }
    }
    for (let i = 0; i < parts.length; i++) {
        for (let j = i + 1; j < parts.length; j++) {
            const [a, b] = [parts[i], parts[j]];
            if (a.layer !== b.layer || a.el.contains(b.el) || b.el.contains(a.el)) continue;
            const both = meet(a.seen, b.seen);
            if (w(both) > 1 && h(both) > 1) {
                problems.push(`${name(a.el)} and ${name(b.el)} are drawn over each other `
                    + `(${round(w(both))}x${round(h(both))} px at ${round(both.l)},${round(both.t)})`);
            }
        }
    }

    // 3. Each key control can be seen whole and clicked: in the window (`fixed`), or brought
    //    there by scrolling the panel it sits in (`keys`), and not under anything else.
    const wanted = [...spec.fixed.map((s) => [s, true]), ...spec.keys.map((s) => [s, false])];
    for (const [selector, fixed] of wanted) {
        const all = [...document.querySelectorAll(selector)];
        if (all.length === 0) problems.push(`${selector} is missing`);
        for (const el of all) {
            if (!shown(el)) {
                problems.push(`${name(el)} is not shown`);
                continue;
            }
            const undo = fixed ? () => {} : bring(el);
            const r = box(el.getBoundingClientRect());
            const { seen, by } = visible(el);
            if (w(seen) < w(r) - 1 || h(seen) < h(r) - 1) {
                problems.push(`${name(el)} cannot be seen whole${fixed ? ' without scrolling' : ''}: `
                    + `${round(w(seen))}x${round(h(seen))} of ${round(w(r))}x${round(h(r))} px show`
                    + `${by ? `, cut by ${name(by)}` : ' in the window'}`);
            } else if (!spec.dialog || el.closest('.overlay')) {
                const points = [[0.5, 0.5], [0.1, 0.2], [0.9, 0.2], [0.1, 0.8], [0.9, 0.8]];
                for (const [fx, fy] of points) {
                    const hit = document.elementFromPoint(seen.l + fx * w(seen), seen.t + fy * h(seen));
                    if (hit && hit !== el && !el.contains(hit)) {
                        problems.push(`${name(el)} is covered by ${name(hit)}`);
                        break;
                    }
                }
            }
            undo();
        }
    }

    // 4. Text panes keep a usable height (or show all they hold) and are not cut sideways.
    for (const [selector, least] of Object.entries(spec.panes)) {
        const all = [...document.querySelectorAll(selector)];
        if (all.length === 0) problems.push(`${selector} is missing`);
        for (const el of all) {
            if (!shown(el)) {
                problems.push(`${name(el)} has no height`);
                continue;
            }
            const undo = bring(el);
            const r = box(el.getBoundingClientRect());
            const { seen, by } = visible(el);
            const need = Math.min(least, el.scrollHeight);
            const height = Math.min(el.clientHeight || h(r), h(seen));
            if (height < need - 1) {
                problems.push(`${name(el)} is ${round(height)} px tall, less than the ${round(need)} px it needs`
                    + `${by && h(seen) < h(r) - 1 ? `, cut by ${name(by)}` : ''}`);
            }
            if (w(seen) < w(r) - 1) {
                problems.push(`${name(el)} is cut sideways: ${round(w(seen))} of ${round(w(r))} px show`
                    + `${by ? `, cut by ${name(by)}` : ''}`);
            }
            undo();
        }
    }

    // 5. Long names: what is shortened (an ellipsis at the end of a line, or after its last
    //    line) says its whole text on hover, and no text is cut off without such a sign. Boxes
    //    that scroll are not cut: their text is a scroll away.
    const own = (el) => [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent).join('').trim();
    for (const el of document.querySelectorAll('body *')) {
        if (el instanceof SVGElement || !shown(el) || el.closest('textarea, pre, .gutter')) continue;
        // Wrapped, but into a column so narrow that words break every few letters.
        const width = el.clientWidth || el.getBoundingClientRect().width;
        if (own(el).length >= 8 && width < 56) {
            problems.push(`${name(el)} is squeezed to ${round(width)} px`);
        }
        const cs = getComputedStyle(el);
        const wide = !['visible', 'auto', 'scroll'].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
        const tall = !['visible', 'auto', 'scroll'].includes(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
        if (!wide && !tall) continue;
        const text = own(el);
        if (!text) continue;
        const marked = (wide && cs.textOverflow === 'ellipsis') || (tall && cs.webkitLineClamp !== 'none');
        if (!marked) {
            problems.push(`${name(el)} is cut off without an ellipsis`);
        } else if (!(el.closest('[title]')?.title ?? '').includes(text)) {
            problems.push(`${name(el)} is shortened and its title does not give the full text`);
        }
    }
    // Some names are short enough to be shown whole, always: they wrap.
    for (const el of document.querySelectorAll(spec.whole.join(','))) {
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
            problems.push(`${name(el)} is not shown whole`);
        }
    }
    for (const g of document.querySelectorAll('[data-testid^="diagram-"]')) {
        const frame = g.querySelector('rect')?.getBoundingClientRect();
        if (!frame) continue;
        for (const t of g.querySelectorAll('text')) {
            const r = t.getBoundingClientRect();
            if (r.right > frame.right + 0.5 || r.left < frame.left - 0.5) {
                problems.push(`${name(t)} spills out of its box in the diagram (${round(r.right - frame.right)} px)`);
            }
            if (t.textContent.includes('…') && !(t.closest('g')?.querySelector('title') || t.querySelector('title'))) {
                problems.push(`${name(t)} is shortened in the diagram without a title`);
            }
        }
    }
    return problems;
}

/** The states of one window size, in order; each returns what it wants checked. */
function states(page, ui) {
    const tid = (id) => `[data-testid="${id}"]`;
    // Controls are clicked the way a script would, so a covered button does not stall the
    // run: being covered is what the checks report.
    const press = async (id) => {
        await page.$eval(tid(id), (el) => el.click());
        await ui.settled();
    };
    const longTable = '\nCREATE TABLE customer_notification_preferences (\n'
        + '    id INTEGER PRIMARY KEY,\n'
        + '    user_id INTEGER NOT NULL REFERENCES users (id),\n'
        + "    preferred_notification_channel_identifier TEXT NOT NULL DEFAULT 'email', quiet_hours_start_in_minutes_after_midnight INTEGER\n"
        + ');\n';
    let demo = '';
    let withColumn = (c) => c;
    return [
        ['demo', async () => {
            demo = await ui.model();
            withColumn = (c, sql = demo) => sql.replace('display_name TEXT NOT NULL,', `display_name TEXT NOT NULL,\n    ${c} TEXT,`);
            return { keys: [tid('schema-diagram')], panes: { '.diagram-wrap': 80 } };
        }],
        ['rename', async () => {
            await page.fill(tid('model-editor'), demo.replace('display_name TEXT NOT NULL', 'full_name TEXT NOT NULL'));
            await press('autogenerate');
            await page.waitForSelector(tid('rename-prompt'));
            return {
                keys: [tid('rename-prompt'), tid('confirm-rename'), tid('decline-rename'), '[data-testid^="lint-"]'],
                panes: { [tid('migration-up-sql')]: 80, [tid('migration-down-sql')]: 80 },
            };
        }],
        ['create-all', async () => {
            // An autogenerated migration and the create_all() report at once, with names long
            // enough to test the diagram's boxes and a line longer than the editor.
            await page.fill(tid('model-editor'), withColumn('phone') + longTable);
            await press('autogenerate');
            await press('create-all');
            await page.waitForSelector(tid('create-all-report'));
            return {
                keys: [tid('create-all-close'), tid('create-all-run')],
                panes: {
                    [`${tid('create-all-report')} pre`]: 80,
                    [tid('migration-up-sql')]: 80,
                    [tid('migration-down-sql')]: 80,
                },
            };
        }],
        ['two-heads', async () => {
            await press('create-all-close');
            await page.fill(tid('revision-message'), 'add phone and the notification preferences of each customer');
            await press('save-revision');
            await press('branch-from-0002');
            await page.fill(tid('model-editor'), withColumn('nickname'));
            await press('autogenerate');
            await page.fill(tid('revision-message'), 'add nickname');
            await press('save-revision');
            await page.waitForSelector(tid('merge-heads'));
            return { keys: [tid('merge-heads'), 'li[data-testid^="revision-"]'], panes: {} };
        }],
        ['merged', async () => {
            await page.fill(tid('revision-message'), 'merge the phone and the nickname branches into one head again');
            await press('merge-heads');
            await press('upgrade-head');
            await press('backup-now');
            return {
                keys: ['li[data-testid^="revision-"]', '[data-testid^="backup-"]'],
                panes: { [`.versions .grid-wrap`]: 80 },
            };
        }],
        ['export', async () => {
            await page.click('[data-testid="export-0002"] summary');
            await press('export-alembic-0002');
            await page.waitForSelector(tid('export-output'));
            return {
                dialog: true,
                keys: [tid('export-output'), tid('export-close'), tid('export-download-0')],
                panes: { [tid('export-file-0')]: 80 },
            };
        }],
        ['lesson', async () => {
            await press('export-close');
            await press('lessons');
            await press('lesson-autogenerate');
            return {
                fixed: [tid('lesson-start'), tid('lesson-hint'), tid('lesson-show-me'), '.lesson-chips button'],
                panes: { [tid('lesson-text')]: 80 },
            };
        }],
        ['lesson-started', async () => {
            await press('lesson-start');
            await page.waitForSelector(`${tid('lesson-checks')}[data-checked="true"]`, { timeout: 20_000 });
            await ui.settled();
            await press('autogenerate');
            await press('lesson-hint');
            return {
                fixed: [tid('lesson-restart'), tid('lesson-hint'), tid('lesson-show-me')],
                keys: [tid('lesson-checks'), '[data-testid^="lint-"]'],
                panes: { [tid('lesson-text')]: 80, [tid('lesson-hint-text')]: 40 },
            };
        }],
    ];
}

for (const size of SIZES) {
    const label = `${size.width}x${size.height}`;
    test(`the page fits ${label} in every state`, async (t) => {
        const { context, page, errors } = await freshPage(browser, size);
        const ui = driver(page);
        await page.goto(server.base);
        await ui.settled();
        for (const [state, reach] of states(page, ui)) {
            await t.test(state, async () => {
                const spec = await reach();
                await page.screenshot({ path: join(dir, `${label}-${state}.png`) });
                const problems = await page.evaluate(inspect, {
                    panels: PANELS,
                    fixed: [...ALWAYS.map((id) => `[data-testid="${id}"]`), ...(spec.fixed ?? [])],
                    keys: spec.keys ?? [],
                    panes: { ...COMMON_PANES, ...spec.panes },
                    whole: WHOLE,
                    dialog: spec.dialog ?? false,
                });
                assert.deepEqual(problems, [], `${label}, ${state}:\n  ${problems.join('\n  ')}`);
            });
        }
        assert.deepEqual(errors, [], 'the page raised no uncaught error');
        await context.close();
    });
}
