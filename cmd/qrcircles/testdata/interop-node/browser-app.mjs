// A partner's browser app on oauth4webapi: a public client (no secret) that signs the person in
// with the authorization-code flow, PKCE and a pushed request inside the page, and calls QR
// Circles from the browser, which CORS allows for the client's registered web origins. docs/partners.md shows
// these functions; TestInteropBrowserApp runs them in headless Chromium (browser-app.html).
import * as oauth from 'oauth4webapi'

// options go with every request (a timeout, a signal; the test allows its plain-http server).
export async function discover(issuer, options) {
  const url = new URL(issuer)
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, options))
}

// signIn pushes the authorization request to the server first (PAR, RFC 9126: the parameters
// never pass through the address bar), then sends the browser to the sign-in pages with the
// request_uri it got. The PKCE verifier, state and nonce wait in the tab's session storage
// until the browser comes back to redirectUri.
export async function signIn(as, client, redirectUri, options) {
  const pkce = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  sessionStorage.setItem('qrcircles-sign-in', JSON.stringify({ pkce, state, nonce }))
  const params = new URLSearchParams({
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid profile circles:read',
    code_challenge: await oauth.calculatePKCECodeChallenge(pkce),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  const pushed = await oauth.pushedAuthorizationRequest(as, client, oauth.None(), params, options)
  const { request_uri } = await oauth.processPushedAuthorizationResponse(as, client, pushed)
  const url = new URL(as.authorization_endpoint)
  url.search = new URLSearchParams({ client_id: client.client_id, request_uri })
  location.assign(url)
}

// finishSignIn runs on the redirect URI's page. It checks the response (the state, and the
// issuer when the server sends iss, RFC 9207), trades the code for tokens, and validates the ID
// token: issuer, audience, expiry, nonce, and its signature against the server's JWKS.
export async function finishSignIn(as, client, redirectUri, options) {
  const { pkce, state, nonce } = JSON.parse(sessionStorage.getItem('qrcircles-sign-in'))
  sessionStorage.removeItem('qrcircles-sign-in')
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), state)
  history.replaceState(null, '', redirectUri) // the code is spent: take it off the address bar
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, pkce, options)
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
  await oauth.validateApplicationLevelSignature(as, response, options)
  return tokens
}

// userInfo asks who signed in, and checks the answer is about the ID token's person.
export async function userInfo(as, client, tokens, options) {
  const { sub } = oauth.getValidatedIdTokenClaims(tokens)
  const response = await oauth.userInfoRequest(as, client, tokens.access_token, options)
  return oauth.processUserInfoResponse(as, client, sub, response)
}

// signOut revokes the access token (RFC 7009): it stops working at once.
export async function signOut(as, client, tokens, options) {
  const response = await oauth.revocationRequest(as, client, oauth.None(), tokens.access_token, options)
  await oauth.processRevocationResponse(response)
}
