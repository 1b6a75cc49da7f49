// A real OpenID Connect provider for MKR's single sign-on tests: the npm package
// `oidc-provider`, configured for 127.0.0.1 only. Started by tests/oidc/provider.py.
//
// - Clients register themselves (RFC 7591 dynamic registration, POST /reg).
// - Login: a form at /interaction/<uid> that takes any e-mail address (this test provider
//   trusts whoever types it: the relying party's rules are what the tests check); consent is
//   granted at once for the scopes asked.
// - Claims: sub (the address), email, email_verified, name, and "upn" (the address again,
//   for tests of a custom e-mail claim).
// - POST /_test/clock?offset=SECONDS shifts the provider's clock while it answers /token
//   (an identity provider with a wrong clock issues tokens that are already expired).
//
// Usage: node provider.mjs  (PORT=0 picks a free port; prints "listening <port>" on stdout)
import http from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

let clockOffset = 0;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; if (data.length > 1e5) req.destroy(); });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

async function finish(provider, req, res, accountId) {
  const details = await provider.interactionDetails(req, res);
  const account = accountId || details.session?.accountId;
  const grant = new provider.Grant({ accountId: account, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope || 'openid'));
  const result = { consent: { grantId: await grant.save() } };
  if (accountId) result.login = { accountId };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function interaction(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST') {
    const body = await readBody(req);
    const login = (body.get('login') || '').trim().toLowerCase();
    if (!login) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('login required');
      return;
    }
    await finish(provider, req, res, login);
    return;
  }
  if (details.prompt.name !== 'login') {
    await finish(provider, req, res, null);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label for="login">E-mail</label> <input id="login" name="login" type="email" autofocus>
<button type="submit">Sign in</button></form></body></html>`);
}

async function main() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(Number(process.env.PORT || 0), '127.0.0.1', resolve));
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
    },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: sub, email_verified: true, name: sub.split('@')[0], upn: sub };
        },
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'upn'],
    },
    interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
    pkce: { required: () => false },
    ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 120, Interaction: 600, Session: 3600, Grant: 3600 },
    responseTypes: ['code'],
  });
  provider.proxy = false;
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    try {
      if (url.pathname === '/_test/clock' && req.method === 'POST') {
        clockOffset = Number(url.searchParams.get('offset') || 0);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(String(clockOffset));
        return;
      }
      const m = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)$/);
      if (m) {
        await interaction(provider, req, res, m[1]);
        return;
      }
      if (url.pathname === '/token' && clockOffset) {
        const realNow = Date.now;
        Date.now = () => realNow() + clockOffset * 1000;
        res.on('close', () => { Date.now = realNow; });
      }
      callback(req, res);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    }
  });
  process.stdout.write(`listening ${port}\n`);
}

main().catch((err) => { console.error(err); process.exit(1); });
