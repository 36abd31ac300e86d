// The connector's metadata: the official connector's, field for field, except `logo` and
// `readme` (ours), token storage, and the three optional Official Account form items.

export const connectorId = 'wechat-web';

export const metadata = Object.freeze({
  id: connectorId,
  target: 'wechat',
  platform: 'Web',
  name: {
    en: 'WeChat',
    'zh-CN': '微信',
    'tr-TR': 'WeChat',
    ko: 'WeChat',
  },
  logo: './logo.svg',
  logoDark: null,
  description: {
    en: 'WeChat is a cross-platform instant messaging app.',
    'zh-CN': '微信是一款跨平台的即时通讯软件。',
    'tr-TR': 'WeChat, çoklu platformda kullanılabilen bir anlık mesajlaşma uygulamasıdır.',
    ko: 'WeChat은 크로스 플랫폼 메시징 앱입니다.',
  },
  readme: './docs/guide.md',
  isTokenStorageSupported: true,
  formItems: [
    {
      key: 'appId',
      label: 'App ID',
      required: true,
      type: 'Text',
      placeholder: '<app-id>',
    },
    {
      key: 'appSecret',
      label: 'App Secret',
      required: true,
      type: 'Text',
      placeholder: '<app-secret>',
    },
    {
      key: 'scope',
      type: 'MultilineText',
      label: 'Scope',
      required: false,
      placeholder: 'Enter the scopes (separated by a space)',
      description: "The `scope` determines permissions granted by the user's authorization. ",
    },
    {
      key: 'officialAccountAppId',
      label: 'Official Account App ID',
      required: false,
      type: 'Text',
      placeholder: '<official-account-app-id>',
      description:
        'Optional. A WeChat Official Account (服务号) used when the sign-in page is opened inside WeChat, where a QR code cannot be scanned. Leave empty to always use the QR login.',
    },
    {
      key: 'officialAccountAppSecret',
      label: 'Official Account App Secret',
      required: false,
      type: 'Text',
      placeholder: '<official-account-app-secret>',
      description: 'Required together with the Official Account App ID.',
    },
    {
      key: 'officialAccountScope',
      label: 'Official Account Scope',
      required: false,
      type: 'Select',
      selectItems: [{ value: 'snsapi_userinfo', title: 'snsapi_userinfo: unionid, nickname and avatar, asks for consent' }],
      defaultValue: 'snsapi_userinfo',
      description:
        'The scope requested inside WeChat. Only snsapi_userinfo gives the unionid that matches the QR sign-in (snsapi_base never does), and only when the Official Account is bound to the Open Platform account of the Website App.'
    },
  ],
});
