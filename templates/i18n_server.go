package templates

// serverCatalog holds the words of the pages the resource server itself answers with.
var serverCatalog = map[string][2]string{
	"server.not_found_title": {"Not found", "未找到"},
	"server.no_page":         {"There is no such page.", "页面不存在。"},
}
