// Downloads for the url and github-release sources: the release URL (with the dep.mirror base),
// a streamed fetch into a temp file with byte progress, and the sha256 check. A failed or
// mismatching download deletes its temp file and names the URL (and both checksums).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { DepError } from './errors.ts';
import type { DepEntry } from './types.ts';

/** The base of release downloads when no mirror is set. */
export const GITHUB_BASE = 'https://github.com';

/** The URL a url or github-release dep downloads, with `mirror` in place of https://github.com. */
export function downloadUrl(entry: DepEntry, mirror?: string): string {
  const base = (mirror ?? GITHUB_BASE).replace(/\/+$/, '');
  if (entry.source === 'github-release') {
    // GitHub's release download layout: <base>/<owner>/<name>/releases/download/<tag>/<asset>; version is the tag.
    return `${base}/${entry.repo ?? ''}/releases/download/${encodeURIComponent(entry.version ?? '')}/${encodeURIComponent(entry.asset ?? '')}`;
  }
  const url = entry.url ?? '';
  return mirror !== undefined && url.startsWith(`${GITHUB_BASE}/`) ? base + url.slice(GITHUB_BASE.length) : url;
}

/** Progress of one download: bytes so far and the total when known. */
export type DownloadProgress = (bytes: number, total: number | undefined) => void;

/** Downloads `url` into `file` and checks its sha256; on any failure `file` does not exist. */
export async function download(name: string, url: string, file: string, sha256: string, onBytes?: DownloadProgress): Promise<void> {
  const hash = createHash('sha256');
  try {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow' });
    } catch (err) {
      throw new DepError(name, 'download-failed', `GET ${url}: ${describeFetchError(err)}`, { cause: err });
    }
    if (!res.ok || res.body === null) {
      await res.body?.cancel();
      throw new DepError(name, 'download-failed', `GET ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const length = Number(res.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : undefined;
    let bytes = 0;
    const body = Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
      onBytes?.(bytes, total);
    });
    try {
      await pipeline(body, createWriteStream(file, { mode: 0o644 }));
    } catch (err) {
      throw new DepError(name, 'download-failed', `GET ${url}: ${describeFetchError(err)} after ${bytes} bytes`, { cause: err });
    }
    if (total !== undefined && bytes !== total) throw new DepError(name, 'download-failed', `GET ${url}: ${bytes} of ${total} bytes arrived`);
    const got = hash.digest('hex');
    if (got !== sha256.toLowerCase()) {
      throw new DepError(name, 'checksum-mismatch', `${url}: sha256 is ${got}, the spec expects ${sha256.toLowerCase()}; nothing was installed`);
    }
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}
