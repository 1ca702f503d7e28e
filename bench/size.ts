/** Bundle size of the widget builds: raw, gzip (level 9) and brotli (quality 11) bytes. */
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface SizeResult {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

export function measureSize(files: string[]): SizeResult[] {
  return files.map((file) => {
    const body = readFileSync(file);
    return {
      file,
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
}
