// Values that test what URL encoding is for: reserved characters, spaces, `%` and `+`, non-ASCII,
// controls, lone surrogates. The QR URL is compared with the official connector's over them; the
// Official Account URL is parsed back over them.
export const redirectUris = [
  'https://logto.example.com/callback/wechat',
  'https://logto.example.com/callback/abc?foo=bar&baz=1',
  'https://logto.example.com/cb?q=a b',
  'https://logto.example.com/cb?q=100%25&already=%20encoded',
  'https://logto.example.com/cb?plus=a+b',
  'https://logto.example.com/cb#fragment',
  'https://登录.例子.中国/回调?名字=微信',
  'https://example.com/😀/🚀?e=🎉',
  "https://example.com/[ipv6]/{brace}|pipe\\back^caret`tick\"quote'apos<lt>gt",
  'https://example.com/~user/-_.!*()',
  'https://example.com/tab\tnewline\ncr\r',
  'https://example.com/\u0000nul\u007fdel\u0080',
  '',
  ' ',
  'relative/path',
];

export const states = ['abcDEF123', 'a-b_c.d~e', 'with space', 'plus+slash/eq=amp&', 'a&b=c#d', '/?#%+ =&', '状态😀', '', 'x'.repeat(300), '%41%', 'a\uD800b'];
