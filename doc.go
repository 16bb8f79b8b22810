// Package qrcircles is the domain of QR Circles: the error type and its codes, audit
// actions, events and their kinds, circle rules, and the things the servers speak of (users,
// circles and join requests, cards and their fields, contacts, messages, OAuth clients),
// shared by the authorization server, the resource server, the services and storage. It
// imports only the standard library; every other package of the module may import it, and it
// imports none of them.
package qrcircles
