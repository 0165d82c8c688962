// Shared helpers of the browser tests: serve a playground build on loopback, start Debian's
// headless Chromium, and drive the page the way a visitor would.
//
// Holds no tests itself, so `node --test tests/browser/*.mjs` passes over it quickly.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

export const dist = resolve(process.env.STRATA_DIST ?? resolve(import.meta.dirname, '../../dist'));
export const shots = process.env.SCREENSHOT_DIR ?? tmpdir();
export const viewport = { width: 1280, height: 800 };

// WebAssembly streaming compilation needs exactly application/wasm, so the types are spelled out.
const types = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.wasm': 'application/wasm',
    '.svg': 'image/svg+xml',
    '.json': 'application/json',
};

/** A file of the build gzipped as a static host sends it; the same level the size test uses. */
export const gzipped = (bytes) => gzipSync(bytes, { level: 9 });

/**
 * Serves dist/ on a free loopback port; resolves to { base, served, close }. Files go out gzipped to
 * a browser that accepts it, as any static host sends them, so the throttled cold start
 * measures the bytes a visitor downloads.
 */
export async function serve() {
    assert.ok(existsSync(join(dist, 'index.html')),
        `${dist} holds no build: run scripts/serve (or trunk build --release) first`);
    const cache = new Map();
    const served = { bytes: 0 };
    const server = createServer((req, res) => {
        const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
        const file = join(dist, path.endsWith('/') ? join(path, 'index.html') : path);
        if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
            res.writeHead(404).end('not found');
            return;
        }
        const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream' };
        let body = readFileSync(file);
        if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
            const key = `${file}:${statSync(file).mtimeMs}`;
            if (!cache.has(key)) cache.set(key, gzipped(body));
            body = cache.get(key);
            headers['content-encoding'] = 'gzip';
        }
        headers['content-length'] = body.length;
        served.bytes += body.length;
        res.writeHead(200, headers).end(body);
    });
    await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
    return {
        base: `http://127.0.0.1:${server.address().port}/`,
        /** The bytes of the bodies sent so far (gzipped where they went out gzipped). */
        served: () => served.bytes,
        close: () => new Promise((ok) => server.close(ok)),
    };
}

/**
 * Starts Chromium with the flags this machine's closed network needs. Playwright hides
 * scrollbars in headless mode; `{ scrollbars: true }` keeps them, so pages are laid out and
 * drawn with the scrollbars a visitor on Linux or Windows sees.
 */
export function launch({ scrollbars = false } = {}) {
    return chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        ignoreDefaultArgs: scrollbars ? ['--hide-scrollbars'] : [],
        // Without the background-networking flags Chromium keeps calling home, and this
        // machine's closed network refuses every call.
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
}

/**
 * A fresh profile (its OPFS starts empty) with one page, whose uncaught errors are collected
 * in `errors`. The window is 1280x800 unless another size is asked for.
 */
export async function freshPage(browser, size = viewport) {
    const context = await browser.newContext({ viewport: size, acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
    });
    return { context, page, errors };
}

/** A visitor's view of one page: the usual questions and actions, bound to it. */
export function driver(page) {
    const settled = () => page.waitForSelector('.app[data-ready="true"]', { timeout: 20_000 });
    return {
        settled,
        async click(testid) {
            await page.click(`[data-testid="${testid}"]`);
            await settled();
        },
        async runSql(sql) {
            await page.fill('[data-testid="console-input"]', sql);
            await page.click('[data-testid="console-run"]');
            await settled();
        },
        async tableRows(table) {
            return Number(await page.textContent(`[data-testid="table-${table}"] .rows`));
        },
        gridText: () => page.textContent('[data-testid="data-grid"]'),
        versions: () => page.$$eval('[data-testid="schema-version-table"] tbody tr',
            (rows) => rows.map((row) => row.cells[0].textContent)),
        /** The revision graph's nodes, sorted by id, as [id, state]. */
        async nodes() {
            const list = await page.$$eval('[data-testid^="revision-"][data-state]',
                (items) => items.map((li) => [li.dataset.testid.slice('revision-'.length), li.dataset.state]));
            return list.sort();
        },
        model: () => page.inputValue('[data-testid="model-editor"]'),
        /** The page fits the viewport without scrolling, then a screenshot is kept. */
        async shot(name) {
            const size = await page.evaluate(() => [
                document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
            assert.deepEqual(size, [viewport.width, viewport.height], `${name}: the page fits 1280x800 without scrolling`);
            await page.screenshot({ path: join(shots, `${name}-1280x800.png`) });
        },
    };
}

/** Puts a page behind Chromium's own network emulation (which throttles its workers too). */
export async function throttle(context, page, { mbits = 10, latency = 40 } = {}) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const throughput = (mbits * 1e6) / 8;
    await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency, downloadThroughput: throughput, uploadThroughput: throughput,
    });
}

/**
 * Notes, inside the page, when the app is first drawn (`strataDrawnAt`), first interactive
 * (`strataInteractiveAt`: data-interactive true) and first settled (`strataReadyAt`: data-ready
 * true, the worker has answered), in milliseconds after navigation started.
 */
export function clocks(page) {
    return page.addInitScript(() => {
        new MutationObserver((_, observer) => {
            if (window.strataDrawnAt === undefined && document.querySelector('.app')) {
                window.strataDrawnAt = performance.now();
            }
            if (window.strataInteractiveAt === undefined && document.querySelector('.app[data-interactive="true"]')) {
                window.strataInteractiveAt = performance.now();
            }
            if (document.querySelector('.app[data-ready="true"]')) {
                window.strataReadyAt = performance.now();
                observer.disconnect();
            }
        }).observe(document, { subtree: true, childList: true, attributes: true });
    });
}

/**
 * One cold start on a slow link: a fresh profile (empty cache and OPFS) behind Chromium's
 * network emulation, the files served gzipped. Resolves to milliseconds after navigation
 * started: `drawn` (the app's first paint from the page's own module), `interactive`
 * (data-interactive first true: the panels show the demo, the model takes typing and the
 * buttons take clicks; on a first visit the page draws the build's answer to Open, and what
 * is pressed before the worker is up waits for it), `module` (the worker's module compiled),
 * `answered` (data-ready first true: the worker has opened the database and the panels show
 * its answer), and the bytes the server sent for it (page and worker alike).
 */
export async function coldStart(browser, server, conditions = {}) {
    const { context, page } = await freshPage(browser);
    try {
        await throttle(context, page, conditions);
        await clocks(page);
        const before = server.served();
        await page.goto(server.base);
        await page.waitForSelector('.app[data-ready="true"]', { timeout: 30_000 });
        const times = await page.evaluate(() => ({
            drawn: window.strataDrawnAt,
            interactive: window.strataInteractiveAt,
            module: performance.getEntriesByName('strata:worker-module')[0]?.startTime,
            answered: window.strataReadyAt,
        }));
        return { ...times, bytes: server.served() - before };
    } finally {
        await context.close();
    }
}
