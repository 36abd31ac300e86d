import type {
  CreateConnector,
  GetAccessTokenByRefreshToken,
  GetTokenResponseAndUserInfo,
  SocialConnector,
} from '@logto/connector-kit';

import type { WechatWebConfig, ZodIssue } from '../index.js';

export type { WechatWebConfig, ZodIssue };

/**
 * Shaped like zod's `ZodError` (`issues`, `name === 'ZodError'`, a JSON `message`); the guard
 * and the connector's errors use the host's own zod `ZodError` when there is one.
 */
export declare class ZodError extends Error {
  constructor(issues: ZodIssue[]);
  issues: ZodIssue[];
  readonly errors: ZodIssue[];
  flatten(): { formErrors: string[]; fieldErrors: Record<string, string[]> };
}

export type ConfigGuard = {
  safeParse(value: unknown): { success: true; data: WechatWebConfig } | { success: false; error: ZodError };
  parse(value: unknown): WechatWebConfig;
  safeParseAsync(value: unknown): Promise<{ success: true; data: WechatWebConfig } | { success: false; error: ZodError }>;
  parseAsync(value: unknown): Promise<WechatWebConfig>;
};

export declare const configGuard: ConfigGuard;

/** The official module's named export: exchanges an authorization code. */
export declare function getAccessToken(
  code: string,
  config: WechatWebConfig
): Promise<{ accessToken: string; openid: string }>;

export type WechatWebConnector = SocialConnector & {
  getTokenResponseAndUserInfo: GetTokenResponseAndUserInfo;
  getAccessTokenByRefreshToken: GetAccessTokenByRefreshToken;
};

declare const createConnector: CreateConnector<WechatWebConnector>;
export default createConnector;
