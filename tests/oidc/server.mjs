// A real OpenID Connect provider on localhost for Shkola's single sign-on tests.
//
// It is the npm package `oidc-provider` with one confidential client, PKCE required, and the
// people of accounts.json. There is no login form to fill: the interaction step signs in the
// person named by the `login_hint` authorization parameter (or shows one button per person
// when the hint is missing, for a browser), so tests can walk the whole flow with plain HTTP.
// `login_hint=deny` answers the client with error=access_denied, as a person pressing
// «Отказать» on the provider's consent page would.
//
// Environment: PORT (required), CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma separated),
// CODE_TTL (seconds an authorization code lives, default 60).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const people = JSON.parse(fs.readFileSync(path.join(here, 'accounts.json'), 'utf8'));
delete people._comment;

const port = Number(process.env.PORT);
if (!port) {
  console.error('PORT is required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID || 'shkola';
const clientSecret = process.env.CLIENT_SECRET || 'shkola-test-secret';
const redirectUris = (process.env.REDIRECT_URIS || 'http://testserver/sso/test/callback/')
  .split(',')
  .map((u) => u.trim())
  .filter(Boolean);
const codeTtl = Number(process.env.CODE_TTL || 60);

const bySub = new Map(Object.values(people).map((p) => [p.sub, p]));

function claimsOf(person) {
  const claims = { sub: person.sub };
  for (const key of ['family_name', 'given_name', 'middle_name', 'birthdate', 'email', 'snils']) {
    if (person[key] !== undefined) claims[key] = person[key];
  }
  claims.children = person.children || [];
  return claims;
}

const signingKey = crypto
  .generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  ttl: {
    AuthorizationCode: () => codeTtl,
    AccessToken: () => 600,
    IdToken: () => 600,
    Interaction: () => 600,
    Session: () => 600,
    Grant: () => 600,
  },
  claims: {
    openid: ['sub'],
    profile: ['family_name', 'given_name', 'middle_name', 'birthdate'],
    email: ['email'],
    snils: ['snils'],
    children: ['children'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const person = bySub.get(sub);
    if (!person) return undefined;
    return { accountId: sub, claims: async () => claimsOf(person) };
  },
  // The client is first-party: every requested scope is granted without a consent page.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);

// The test server's port is only known once Django's live server starts: any loopback port
// is accepted for a registered redirect path, as RFC 8252 allows for loopback addresses.
const registeredPaths = new Set(redirectUris.map((u) => new URL(u).pathname));
const exactAllowed = provider.Client.prototype.redirectUriAllowed;
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
  if (exactAllowed.call(this, value)) return true;
  try {
    const url = new URL(value);
    return (
      url.protocol === 'http:' &&
      ['127.0.0.1', 'localhost'].includes(url.hostname) &&
      registeredPaths.has(url.pathname)
    );
  } catch {
    return false;
  }
};

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const url = new URL(req.url, issuer);
  const chosen = url.searchParams.get('login') || details.params.login_hint;
  if (chosen === 'deny') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The person refused access' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (chosen && people[chosen]) {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: people[chosen].sub } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const buttons = Object.entries(people)
    .map(
      ([login, p]) =>
        `<li><a id="login-${escapeHtml(login)}" href="?login=${encodeURIComponent(login)}">` +
        `${escapeHtml(p.family_name)} ${escapeHtml(p.given_name)} (${escapeHtml(login)})</a></li>`,
    )
    .join('');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Test identity provider</title>` +
      `<h1>Test identity provider</h1><ul>${buttons}` +
      `<li><a id="login-deny" href="?login=deny">Отказать</a></li></ul>`,
  );
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(String(error));
    });
    return;
  }
  handle(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
