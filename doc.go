// Package qrcircles is the domain of QR Circles: the error type and its codes, audit
// actions, event kinds, circle rules and the token principal, shared by the authorization
// server, the resource server and storage. It imports only the standard library; every
// other package of the module may import it, and it imports none of them.
package qrcircles
