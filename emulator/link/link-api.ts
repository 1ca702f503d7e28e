/** The Link script's client for the emulator's `/emulator/link/` routes (see protocol.ts). */
import type {
  ErrorResponse,
  ExitResponse,
  OpenResponse,
  ShareRequest,
  ShareResponse,
  StartResponse,
  SubmitRequest,
  SubmitResponse,
  VerifyResponse,
} from './protocol.js';

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ErrorResponse };

export class LinkApi {
  private readonly base: string;

  /** @param base the emulator's URL: where link-initialize.js came from, minus its path. */
  constructor(base: string) {
    this.base = `${base}/emulator/link/sessions`;
  }

  start(linkToken: string) {
    return this.post<StartResponse>('', { link_token: linkToken });
  }
  submit(sessionId: string, data: SubmitRequest) {
    return this.post<SubmitResponse>(`/${sessionId}/submit`, data);
  }
  open(sessionId: string) {
    return this.post<OpenResponse>(`/${sessionId}/open`, {});
  }
  verify(sessionId: string, code: string) {
    return this.post<VerifyResponse>(`/${sessionId}/verify`, { code });
  }
  share(sessionId: string, request: ShareRequest) {
    return this.post<ShareResponse>(`/${sessionId}/share`, request);
  }
  exit(sessionId: string, status: string | null) {
    return this.post<ExitResponse>(`/${sessionId}/exit`, { status });
  }

  private async post<T>(path: string, body: unknown): Promise<ApiResult<T>> {
    try {
      const response = await fetch(this.base + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const data = (await response.json()) as unknown;
      return response.ok ? { ok: true, data: data as T } : { ok: false, error: data as ErrorResponse };
    } catch (error) {
      // Real Link shows its own error pane when it cannot reach Plaid; here it becomes onExit.
      return {
        ok: false,
        error: {
          error_type: 'API_ERROR',
          error_code: 'INTERNAL_SERVER_ERROR',
          error_message: `Link could not reach the Plaid emulator: ${String(error)}`,
          display_message: null,
          request_id: '',
        },
      };
    }
  }
}
