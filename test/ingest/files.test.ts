// Reading a supplier file (ingest/files.ts readRegularFile), the one reader of the inbox and `ordersync ingest`:
// regular files only, links refused or followed as asked, hard links refused for the inbox, and a file reached
// through a folder swapped for a link refused by where the open descriptor really is.
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegularFile } from '../../src/ingest/files.ts';

describe('readRegularFile', () => {
  let root: string;
  const inbox = { followSymlinks: false, singleLink: true, maxBytes: 1024 } as const;
  const named = { followSymlinks: true, singleLink: false, maxBytes: 1024 } as const;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'ordersync-files-')));
    await mkdir(join(root, 'demo'));
    await mkdir(join(root, 'elsewhere'));
    await writeFile(join(root, 'demo', 'real.csv'), 'PO #\nA\n');
    await writeFile(join(root, 'elsewhere', 'secret.csv'), 'secret\n');
    await symlink(join(root, 'elsewhere', 'secret.csv'), join(root, 'demo', 'link.csv'));
    await link(join(root, 'elsewhere', 'secret.csv'), join(root, 'demo', 'hard.csv'));
    await symlink(join(root, 'elsewhere'), join(root, 'swapped'));
    execFileSync('mkfifo', [join(root, 'demo', 'pipe.csv')]);
    await writeFile(join(root, 'demo', 'big.csv'), `PO #\n${'A\n'.repeat(1024)}`);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a regular file in its folder', async () => {
    expect(await readRegularFile(join(root, 'demo', 'real.csv'), { ...inbox, within: join(root, 'demo') }))
      .toEqual({ ok: true, bytes: Buffer.from('PO #\nA\n') });
  });

  it('the inbox refuses a symbolic link, a second hard link and a pipe without reading them', async () => {
    expect(await readRegularFile(join(root, 'demo', 'link.csv'), inbox)).toEqual({ ok: false, reason: expect.stringMatching(/symbolic link/) });
    expect(await readRegularFile(join(root, 'demo', 'hard.csv'), inbox)).toEqual({ ok: false, reason: expect.stringMatching(/has 2 hard links/) });
    expect(await readRegularFile(join(root, 'demo', 'pipe.csv'), inbox)).toEqual({ ok: false, reason: 'is not a regular file but a named pipe' });
  });

  it('a file reached through a folder that is a link is refused by where the descriptor really is', async () => {
    const read = await readRegularFile(join(root, 'swapped', 'secret.csv'), { ...inbox, within: join(root, 'swapped') });
    expect(read).toEqual({ ok: false, reason: expect.stringMatching(/not in the retailer's folder but in .*elsewhere/) });
  });

  it('a file the user names is read through a link, hard links included; a pipe is still refused', async () => {
    expect(await readRegularFile(join(root, 'demo', 'link.csv'), named)).toEqual({ ok: true, bytes: Buffer.from('secret\n') });
    expect(await readRegularFile(join(root, 'demo', 'hard.csv'), named)).toEqual({ ok: true, bytes: Buffer.from('secret\n') });
    expect(await readRegularFile(join(root, 'demo', 'pipe.csv'), named)).toEqual({ ok: false, reason: 'is not a regular file but a named pipe' });
  });

  it('a file larger than DOCUMENT_MAX_BYTES is refused unread, saying its size and the limit (inbox and named alike)', async () => {
    for (const options of [{ ...inbox, within: join(root, 'demo') }, named]) {
      expect(await readRegularFile(join(root, 'demo', 'big.csv'), options)).toEqual({ ok: false, reason: 'is 2,053 bytes (2 KB), larger than ' +
        'a supplier document may be: DOCUMENT_MAX_BYTES is 1,024 bytes (1 KB), as for the API; split it into smaller files' });
    }
    expect(await readRegularFile(join(root, 'demo', 'big.csv'), { ...named, maxBytes: 2053 })).toMatchObject({ ok: true });
  });
});
