package templates

// serverCatalog holds the words of the pages the resource server itself answers with.
var serverCatalog = map[string][2]string{
	"error.not_found_title": {"Not found", "未找到"},
	"error.no_page":         {"There is no such page.", "页面不存在。"},
}
