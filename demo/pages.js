// The demo site's two pages, plain HTML.
const escapeHtml = (text) =>
  String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const json = (value) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

const layout = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title>
<style>
  body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f7f9;color:#1f2328;margin:0}
  main{max-width:760px;margin:32px auto;padding:0 16px}
  .card{background:#fff;border:1px solid #e2e5e9;border-radius:10px;padding:20px 24px;margin-bottom:16px}
  h1{font-size:22px;margin:0 0 6px} h2{font-size:16px;margin:0 0 10px} .muted{color:#667;font-size:13px}
  .wechat{display:inline-flex;align-items:center;gap:10px;background:#07c160;color:#fff;border:0;border-radius:8px;padding:12px 20px;font-size:16px;cursor:pointer}
  .wechat img{width:24px;height:24px;border-radius:5px;background:#fff}
  fieldset{border:1px solid #e2e5e9;border-radius:8px;margin:14px 0;padding:10px 14px} legend{font-size:13px;color:#555}
  label{display:block;margin:6px 0;font-size:14px} select{padding:4px}
  pre{background:#f3f4f6;border-radius:6px;padding:10px;overflow:auto;font-size:12.5px;white-space:pre-wrap;word-break:break-all}
  table{border-collapse:collapse;width:100%;font-size:14px} td,th{text-align:left;padding:5px 8px;border-bottom:1px solid #eee}
  .ok{color:#1a7f37} .fail{color:#cf222e} .badge{display:inline-block;border-radius:12px;padding:2px 10px;font-size:12px;background:#eef;color:#334}
  .error{border-color:#f5c2c7;background:#fff5f5} a{color:#0969da}
</style></head><body><main>${body}</main></body></html>`;

export const renderHome = ({ metadata, mockUrl }) =>
  layout(
    'WeChat connector demo',
    `<div class="card"><h1>Sign in to Demo App</h1>
<div class="muted">Connector <b>${escapeHtml(metadata.id)}</b> loaded by Logto's own loader; WeChat is a local mock at ${escapeHtml(mockUrl)}.</div>
<form action="/sign-in" method="get">
<fieldset><legend>Try</legend>
<label><input type="checkbox" name="inWeChat" id="inWeChat"> Open as if inside WeChat (MicroMessenger user agent)</label>
<label>Official Account <select name="oa" id="oa"><option value="on">configured</option><option value="off">not configured</option></select></label>
<label><input type="checkbox" name="tokens" id="tokens"> Token storage on (show WeChat's tokens, allow refresh)</label>
<label>Error case <select name="case" id="case">
<option value="none">none</option>
<option value="expired">expired authorization code (42003)</option>
<option value="bad-secret">wrong app secret (40125)</option>
<option value="revoked">access token rejected by userinfo (40001)</option>
<option value="unbound">Official Account not bound to the Open Platform (no unionid, in WeChat)</option>
</select></label>
</fieldset>
<button class="wechat" id="sign-in" type="submit"><img src="data:image/svg+xml;base64,${Buffer.from(logoSvg).toString('base64')}" alt="">Sign in with WeChat</button>
</form></div>
<div class="card muted">The button asks the connector for WeChat's authorization URL, exactly as Logto does, and follows it to the mock's
QR page (desktop) or Official Account consent page (inside WeChat). The callback checks <code>state</code>, then calls the connector.</div>`
  );

const stepsTable = (steps) =>
  `<table id="steps"><tr><th>Step</th><th>Time</th><th></th></tr>${steps
    .map((s) => `<tr><td>${escapeHtml(s.label)}</td><td>${s.ms.toFixed(2)} ms</td><td class="${s.ok ? 'ok' : 'fail'}">${s.ok ? '✓' : '✗'}</td></tr>`)
    .join('')}</table>`;

export const renderResult = ({ steps = [], userInfo, tokenResponse, error, authorizationUri, flow, userAgent, refreshed }) =>
  layout(
    error ? 'Sign-in failed' : 'Signed in',
    `${
      error
        ? `<div class="card error" id="error"><h1>Sign-in failed</h1>
<p>ConnectorError <b id="error-code">${escapeHtml(error.code)}</b> — Logto would answer <b id="error-status">HTTP ${error.status}</b>.</p>${json(error.data)}</div>`
        : refreshed
          ? `<div class="card" id="refreshed"><h1>Access token refreshed</h1></div>`
          : `<div class="card" id="signed-in"><h1>Signed in as ${escapeHtml(userInfo?.name ?? userInfo?.id)}</h1>
${userInfo?.avatar ? `<div class="muted">avatar: ${escapeHtml(userInfo.avatar)}</div>` : ''}
<div class="muted">flow: <span class="badge" id="flow">${escapeHtml(flow)}</span></div></div>`
    }
${userInfo ? `<div class="card"><h2>User info (what Logto receives)</h2><div id="user-info">${json(userInfo)}</div></div>` : ''}
${tokenResponse ? `<div class="card"><h2>Token response (token storage)</h2><div id="token-response">${json(tokenResponse)}</div>${refreshed ? '' : '<a id="refresh" href="/refresh">Refresh the access token</a>'}</div>` : ''}
<div class="card"><h2>Steps</h2>${stepsTable(steps)}
${authorizationUri ? `<p class="muted">Authorization URI built by the connector:</p><pre id="authorization-uri">${escapeHtml(authorizationUri)}</pre>` : ''}
${userAgent ? `<p class="muted">User agent: ${escapeHtml(userAgent)}</p>` : ''}
</div>
<p><a href="/">Start again</a></p>`
  );

const logoSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1AAD19"/></svg>`;
