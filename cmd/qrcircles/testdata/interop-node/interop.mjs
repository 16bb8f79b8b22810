// The interop run of TestInteropOpenIDClient: the server app's functions (server-app.mjs), step
// by step, against the server the test started. Each step prints one JSON line,
// {"step": NAME, "result": {...}} or {"step": NAME, "error": ...}, and the run stops at the
// first error. For the sign-in the script prints {"authorize": URL} and reads, from its
// standard input, the URL the person's browser came back to (the test plays the person).
//
// Environment: QRC_ISSUER, QRC_CLIENT_ID, QRC_CLIENT_SECRET (a confidential client
// registered with client_secret_post), QRC_REDIRECT_URI, QRC_CIRCLE_URL.
import * as readline from 'node:readline'
import * as client from 'openid-client'
import { backendToken, connect, finishSignIn, join, scanSession, startSignIn } from './server-app.mjs'

const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}
const issuer = env('QRC_ISSUER')
const clientId = env('QRC_CLIENT_ID')
const clientSecret = env('QRC_CLIENT_SECRET')
const redirectUri = env('QRC_REDIRECT_URI')
const circleUrl = env('QRC_CIRCLE_URL')

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const print = (v) => process.stdout.write(JSON.stringify(v) + '\n')

// The state the steps share, as a partner's session would hold it.
let config, backend, signIn, tokens, refreshed, scan

// errorOf keeps what openid-client says about a failure: its code, and the server's OAuth
// error and status when there was an answer.
const errorOf = (err) => ({
  message: err.message,
  code: err.code,
  error: err.error,
  status: err.status,
  cause: err.cause instanceof Error ? err.cause.message : err.cause,
})

// refusal runs fn, which must fail, and returns how it failed.
async function refusal(fn) {
  try {
    await fn()
  } catch (err) {
    return errorOf(err)
  }
  throw new Error('openid-client accepted what it should have refused')
}

const steps = {
  async discovery() {
    // The one non-default: the test server speaks plain http on 127.0.0.1, which openid-client
    // 6 refuses unless allowInsecureRequests is passed as an execute option.
    config = await connect(issuer, clientId, clientSecret, { execute: [client.allowInsecureRequests] })
    const m = config.serverMetadata()
    return {
      issuer: m.issuer,
      iss_parameter_supported: m.authorization_response_iss_parameter_supported === true,
      token_endpoint_auth_methods: m.token_endpoint_auth_methods_supported,
    }
  },

  async client_credentials() {
    backend = await backendToken(config)
    return { access_token: backend.access_token, scope: backend.scope, token_type: backend.token_type }
  },

  async authorization_code() {
    signIn = await startSignIn(config, redirectUri)
    print({ authorize: signIn.url.href })
    const { value: callback, done } = await lines.next()
    if (done) throw new Error('no callback URL on standard input')
    // A response that claims another issuer (a mix-up attack) is refused before the code is
    // spent: the RFC 9207 check is on.
    const forged = new URL(callback)
    forged.searchParams.set('iss', 'https://attacker.example')
    const forgedIss = await refusal(() => finishSignIn(config, forged, signIn.checks))
    tokens = await finishSignIn(config, callback, signIn.checks)
    return {
      iss: new URL(callback).searchParams.get('iss'),
      forged_iss: forgedIss,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      has_id_token: typeof tokens.id_token === 'string',
      scope: tokens.scope,
    }
  },

  async id_token() {
    // Validated by finishSignIn: issuer, audience, expiry, nonce and, with the non-repudiation
    // checks on, the signature against the server's JWKS.
    return { claims: tokens.claims(), expected_nonce: signIn.checks.expectedNonce }
  },

  async userinfo() {
    return client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub)
  },

  async introspection() {
    return client.tokenIntrospection(config, tokens.access_token)
  },

  async token_exchange() {
    scan = await scanSession(config, tokens.access_token, circleUrl)
    return { ...scan }
  },

  async join() {
    return join(config, scan)
  },

  async refresh() {
    refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
    return {
      access_token: refreshed.access_token,
      refresh_token: refreshed.refresh_token,
      sub: refreshed.id_token ? refreshed.claims().sub : undefined,
    }
  },

  async refresh_replay() {
    // A used refresh token presented again is taken as stolen: the whole family dies.
    const replay = await refusal(() => client.refreshTokenGrant(config, tokens.refresh_token))
    const newest = await client.tokenIntrospection(config, refreshed.access_token)
    const userinfo = await refusal(() => client.fetchUserInfo(config, refreshed.access_token, client.skipSubjectCheck))
    return { replay, newest_access_token_active: newest.active, userinfo }
  },

  async revocation() {
    const before = await client.tokenIntrospection(config, backend.access_token)
    await client.tokenRevocation(config, backend.access_token)
    const after = await client.tokenIntrospection(config, backend.access_token)
    return { before, after }
  },
}

for (const [name, run] of Object.entries(steps)) {
  try {
    print({ step: name, result: await run() })
  } catch (err) {
    print({ step: name, error: errorOf(err) })
    process.exitCode = 1
    break
  }
}
lines.return?.()
process.stdin.destroy()
