// A partner's server app on openid-client: a confidential client that signs people in with
// the authorization-code flow, acts for itself with client credentials, and joins its users
// to circles with scan sessions. docs/partners.md shows these functions; the interop test
// (TestInteropOpenIDClient) runs them against the real server.
import * as client from 'openid-client'

// connect reads the server's metadata. With a secret and nothing else, openid-client
// authenticates as client_secret_post; register the client with that method.
export async function connect(issuer, clientId, clientSecret, options) {
  const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, options)
  client.enableNonRepudiationChecks(config) // also check ID token signatures against the JWKS
  return config
}

// backendToken is a token for the back end itself: no person, scope circles:read.
export async function backendToken(config) {
  return client.clientCredentialsGrant(config, { scope: 'circles:read' })
}

// startSignIn makes the URL to send the person's browser to, and what to keep in their
// session until they come back: the PKCE verifier, the state and the nonce.
export async function startSignIn(config, redirectUri) {
  const checks = {
    pkceCodeVerifier: client.randomPKCECodeVerifier(),
    expectedState: client.randomState(),
    expectedNonce: client.randomNonce(),
  }
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile phone offline_access circles:read circles:join',
    code_challenge: await client.calculatePKCECodeChallenge(checks.pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: checks.expectedState,
    nonce: checks.expectedNonce,
  })
  return { url, checks }
}

// finishSignIn takes the URL the browser came back to. openid-client checks the state, the
// issuer of the response (RFC 9207 iss, required when discovery says the server sends it),
// the ID token's issuer, audience, expiry, nonce and signature, then returns the tokens.
export async function finishSignIn(config, callbackUrl, checks) {
  return client.authorizationCodeGrant(config, new URL(callbackUrl), checks)
}

// scanSession exchanges the person's access token for a token for one circle, the one whose
// URL the QR code holds (RFC 8693).
export async function scanSession(config, accessToken, circleUrl) {
  return client.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:token-exchange', {
    subject_token: accessToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: circleUrl,
  })
}

// join asks to join the scan session's circle: 200 joined, 202 waiting for review.
export async function join(config, scan) {
  const url = new URL(`/api/v1/circles/${scan.circle_id}/join`, config.serverMetadata().issuer)
  const res = await client.fetchProtectedResource(config, scan.access_token, url, 'POST')
  return { status: res.status, body: await res.json() }
}
