/**
 * The Link iframe's client for the protocol's routes (messages.ts): one method per step of a Link
 * session. Bundled into the iframe's script, so it uses nothing but `fetch`.
 */
import {
  LINK_SESSIONS_PATH,
  type ErrorResponse,
  type ExitRequest,
  type ExitResponse,
  type OpenResponse,
  type SharedResponse,
  type ShareRequest,
  type ShareResponse,
  type StartRequest,
  type StartResponse,
  type SubmitRequest,
  type SubmitResponse,
  type VerifyRequest,
  type VerifyResponse,
} from './messages.js';

/** An answer, or the error Link ends with; the client never throws. */
export type LinkProtocolResult<T> = { ok: true; data: T } | { ok: false; error: ErrorResponse };

export class LinkProtocolClient {
  private readonly sessionsUrl: string;

  /** @param emulatorUrl the emulator's URL: where the iframe's document came from, minus its path. */
  constructor(emulatorUrl: string) {
    this.sessionsUrl = emulatorUrl + LINK_SESSIONS_PATH;
  }

  start(linkToken: string, receivedRedirectUri: string | null = null) {
    return this.post<StartRequest, StartResponse>('', {
      link_token: linkToken,
      ...(receivedRedirectUri !== null && { received_redirect_uri: receivedRedirectUri }),
    });
  }
  submit(linkSessionId: string, request: SubmitRequest) {
    return this.post<SubmitRequest, SubmitResponse>(`/${linkSessionId}/submit`, request);
  }
  open(linkSessionId: string) {
    return this.post<Record<string, never>, OpenResponse>(`/${linkSessionId}/open`, {});
  }
  verify(linkSessionId: string, code: string) {
    return this.post<VerifyRequest, VerifyResponse>(`/${linkSessionId}/verify`, { code });
  }
  share(linkSessionId: string, request: ShareRequest) {
    return this.post<ShareRequest, ShareResponse>(`/${linkSessionId}/share`, request);
  }
  resume(linkSessionId: string) {
    return this.post<Record<string, never>, SharedResponse>(`/${linkSessionId}/resume`, {});
  }
  exit(linkSessionId: string, status: string | null) {
    return this.post<ExitRequest, ExitResponse>(`/${linkSessionId}/exit`, { status });
  }

  private async post<RequestBody, ResponseBody>(
    path: string,
    body: RequestBody,
  ): Promise<LinkProtocolResult<ResponseBody>> {
    try {
      const response = await fetch(this.sessionsUrl + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const data = (await response.json()) as unknown;
      return response.ok
        ? { ok: true, data: data as ResponseBody }
        : { ok: false, error: data as ErrorResponse };
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
