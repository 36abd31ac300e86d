import type {
  CreateConnector,
  GetAccessTokenByRefreshToken,
  GetTokenResponseAndUserInfo,
  SocialConnector,
} from '@logto/connector-kit';

export type WechatWebConfig = {
  appId: string;
  appSecret: string;
  scope?: string;
  officialAccountAppId?: string;
  officialAccountAppSecret?: string;
  officialAccountScope?: 'snsapi_userinfo';
};

export type ZodIssue = {
  code: string;
  path: Array<string | number>;
  message: string;
  expected?: string;
  received?: string;
};

/** Shaped like zod's `ZodError`: `issues`, `name === 'ZodError'`, a JSON `message`. */
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
