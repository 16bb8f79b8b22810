package qrcircles

// signinPhrases are the sentences of signing in: reading a phone number, sending and checking
// SMS codes and their limits, the SMS itself, passkeys, scans and signing out.
var signinPhrases = map[string][2]string{
	// Reading a phone number.
	"phone.empty":        {"Enter your phone number.", "请输入手机号。"},
	"phone.too_short":    {"This phone number is too short. Check the digits.", "手机号太短，请检查号码。"},
	"phone.too_long":     {"This phone number is too long. Check the digits.", "手机号太长，请检查号码。"},
	"phone.invalid":      {"This is not a valid phone number. Check the digits, and start with + and the country code if it is from another country.", "手机号无效。请检查号码；其他国家或地区的号码请以 + 和国家代码开头。"},
	"phone.unreadable":   {"This does not look like a phone number. Enter digits only, for example 138 0013 8000 or +86 138 0013 8000.", "这不像手机号。请只输入数字，例如 138 0013 8000 或 +86 138 0013 8000。"},
	"phone.country_code": {"The country code is not known. Start with + and the country code, for example +86.", "国家代码无法识别。请以 + 和国家代码开头，例如 +86。"},

	// Sending and checking codes.
	"signin.code_format":     {"Enter the %d-digit code from the SMS.", "请输入短信中的 %d 位验证码。"},
	"signin.code_wrong_one":  {"That code is not right. 1 try left.", "验证码不正确，还可以再试 1 次。"},
	"signin.code_wrong":      {"That code is not right. %d tries left.", "验证码不正确，还可以再试 %d 次。"},
	"signin.code_expired":    {"This code has expired. Request a new one.", "验证码已过期，请重新获取。"},
	"signin.code_used":       {"This code has already been used. Request a new one.", "验证码已使用，请重新获取。"},
	"signin.code_dead":       {"Too many wrong codes. Request a new one.", "错误次数过多，请重新获取验证码。"},
	"signin.region":          {"Sign-in codes are not sent to numbers of this country or region.", "登录验证码不发送到该国家或地区的号码。"},
	"signin.no_sms":          {"This number cannot receive SMS. Check it, or use another number.", "该号码无法接收短信。请检查号码，或换一个号码。"},
	"signin.sms_unavailable": {"We cannot send or check SMS codes right now. Please try again in a few minutes.", "暂时无法发送或验证短信验证码，请几分钟后重试。"},
	"signin.proof_failed":    {"The check did not finish or has expired. Wait until it says verified, then send the code again.", "验证未完成或已过期。请等待显示验证成功后，再次发送验证码。"},

	// The limits on codes; the argument is a wait (wait.seconds or wait.minutes).
	"limit.phone":     {"Too many codes for this number. Try again in %s.", "该号码获取验证码次数过多，请 %s后重试。"},
	"limit.ip":        {"Too many codes were requested from your network. Try again in %s.", "您的网络请求验证码次数过多，请 %s后重试。"},
	"limit.circle":    {"This circle's sign-ins have used all the codes planned for today; ask the organizer. Try again in %s.", "本圈子今天计划的登录验证码已用完，请联系组织者，或 %s后重试。"},
	"limit.verify_ip": {"Too many tries from your network. Try again in %s.", "您的网络尝试次数过多，请 %s后重试。"},
	"limit.global":    {"We are sending too many codes right now. Try again in %s.", "当前发送的验证码过多，请 %s后重试。"},

	// The SMS: the code, then how many minutes it holds.
	"sms.code": {"QR Circles code: %s (%d min)", "二维码好友圈验证码：%s（%d分钟内有效）"},

	// The sign-in pages.
	"authz.form_expired":    {"This form has expired. Please try again.", "表单已过期，请重试。"},
	"authz.name_required":   {"Please enter your name.", "请输入姓名。"},
	"authz.sign_in_first":   {"Please sign in first.", "请先登录。"},
	"authz.scan_expired":    {"This scan has expired. Please scan the QR code again.", "扫码已过期，请重新扫码。"},
	"authz.not_joined":      {"You did not sign in, so you have not joined.", "未登录，未加入。"},
	"authz.logout_bad":      {"This sign-out link is not valid. You are still signed in; sign out on your account page if you want to.", "该退出链接无效。您仍处于登录状态；如需退出，请在账户页面操作。"},
	"authz.logout_redirect": {"This sign-out link names a return address the app did not register. You are still signed in.", "该退出链接中的返回地址未经应用登记。您仍处于登录状态。"},
	"authz.passkey_refused": {"This passkey does not sign anyone in here. Sign in with your phone number.", "此通行密钥无法登录，请使用手机号登录。"},
	"authz.passkey_invalid": {"The passkey was not accepted.", "通行密钥未被接受。"},
	"authz.passkey_name":    {"Passkey %s", "通行密钥 %s"},
	"authz.passkey_expired": {"This took too long. Please try again.", "操作超时，请重试。"},
	"authz.embedder":        {"This site is not registered to add people to QR Circles. Open the circle's QR code instead.", "该网站未获准代为加入二维码好友圈，请直接扫描圈子的二维码。"},
}
