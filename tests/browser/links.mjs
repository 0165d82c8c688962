// Share links made by hand for the browser tests: a project of strata revision files, packed as
// the playground packs a link (zlib, base64url). Holds no tests itself.

import { deflateSync } from 'node:zlib';

/** A share link for a project of revision files (strata's format), applied up to `applied`. */
export function linkOf(base, { model, revisions, applied, data = '' }) {
    const project = { format: 'strata-project/1', language: 'sql', model, revisions, applied, data };
    return `${base}#project=${deflateSync(Buffer.from(JSON.stringify(project))).toString('base64url')}`;
}

/** A hand-written revision file. */
export function revisionFile(id, parent, message, up, down) {
    return `-- strata revision\n-- id: ${id}\n-- parents: ${parent ?? ''}\n-- message: ${message}\n` +
        `-- created: 2026-02-01T10:00:00Z\n\n-- +up\n${up}\n\n-- +down\n${down}\n`;
}
