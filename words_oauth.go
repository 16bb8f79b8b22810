package qrcircles

// oauthPhrases are the sentences of managing OAuth clients: what is wrong with a client's
// registration, as its operator reads it.
var oauthPhrases = map[string][2]string{
	"client.no_secret":          {"client %s authenticates with %s and has no secret", "客户端 %s 使用 %s 认证，没有密钥"},
	"client.first_party_origin": {"the first-party client has no embedding origins", "第一方客户端没有可嵌入的来源"},
	"client.first_party_delete": {"the first-party client cannot be deleted", "第一方客户端不能删除"},
	"client.name":               {"a client needs a name", "客户端需要名称"},
	"client.grant":              {"a client needs at least one grant type", "客户端至少需要一种授权类型"},
	"client.grant_unknown":      {"unknown grant type %q (known: %s)", "未知的授权类型 %q（可用：%s）"},
	"client.public_credentials": {"a public client cannot use client_credentials", "公共客户端不能使用 client_credentials"},
	"client.redirect_needed":    {"authorization_code needs at least one redirect URI", "authorization_code 至少需要一个重定向 URI"},
	"client.scope":              {"a client needs at least one scope", "客户端至少需要一个权限范围"},
	"client.scope_unknown":      {"unknown scope %q (known: %s)", "未知的权限范围 %q（可用：%s）"},
	"client.public_auth":        {"a public client cannot authenticate with %s: it keeps no secret and no key", "公共客户端不能使用 %s 认证：它不保存密钥"},
	"client.confidential_auth":  {"a confidential client authenticates; %s is for public clients", "机密客户端必须认证；%s 仅用于公共客户端"},
	"client.auth_unknown":       {"unknown authentication method %q (known: %s)", "未知的认证方式 %q（可用：%s）"},
	"client.keys_unused":        {"keys are for clients that authenticate with %s", "只有使用 %s 认证的客户端才需要密钥"},
	"client.keys_needed":        {"a %s client needs its public keys: a JWKS or a JWKS URI, one of them", "%s 客户端需要公钥：JWKS 或 JWKS 地址，二者选一"},
	"client.keys_bad":           {"the JWKS cannot be used: %s", "JWKS 无法使用：%s"},
	"client.jwks_uri":           {"%q must be an https URL (plain http only on a loopback address)", "%q 必须是 https 地址（仅回环地址可用 http）"},
	"client.origin":             {"%q is not a web origin; write it as https://host or https://host:port", "%q 不是网页来源；请写成 https://主机名 或 https://主机名:端口"},
	"client.origin_https":       {"the origin %q must use https (plain http only on a loopback address)", "来源 %q 必须使用 https（仅回环地址可用 http）"},

	// Redirect URIs, checked at registration.
	"redirect.absolute":      {"%q is not an absolute URI without a fragment", "%q 不是不带片段的绝对 URI"},
	"redirect.code_scheme":   {"%q: the scheme %s: runs code or carries content; it is never a redirect URI", "%q：协议 %s: 会运行代码或携带内容，不能作为重定向 URI"},
	"redirect.exact":         {"write %q as %q: redirect URIs are matched exactly", "请将 %q 写成 %q：重定向 URI 按原样精确匹配"},
	"redirect.https":         {"%q must use https (plain http only on a loopback address)", "%q 必须使用 https（仅回环地址可用 http）"},
	"redirect.reverse":       {"%q: a private-use scheme must be a domain of yours reversed, such as com.example.app:/callback (RFC 8252 §7.1)", "%q：私有协议必须是您的域名倒序，例如 com.example.app:/callback（RFC 8252 §7.1）"},
	"redirect.native":        {"%q: private-use schemes are for native apps, which are public clients", "%q：私有协议仅用于原生应用，原生应用是公共客户端"},
	"redirect.private_shape": {"%q: write a private-use redirect with one slash and a path, such as %s:/oauth2/callback", "%q：私有协议的重定向请写一个斜杠加路径，例如 %s:/oauth2/callback"},
}
