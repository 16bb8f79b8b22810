package cards

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

// CSVMediaType is the Content-Type of a CSV export.
const CSVMediaType = "text/csv; charset=utf-8"

var csvHeader = []string{"user_id", "display_name", "title", "company", "phones", "emails", "address", "website", "note"}

// WriteCSV writes the entries, one row each, after a header row. Hidden fields are empty
// cells. Cells that a spreadsheet would run as a formula are defused.
func WriteCSV(w io.Writer, es []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, e := range es {
		c := e.Card
		row := []string{strconv.FormatInt(e.UserID, 10), c.DisplayName, c.Title, c.Company,
			strings.Join(c.Phones, "; "), strings.Join(c.Emails, "; "), c.Address, c.Website, c.Note}
		for i := range row {
			row[i] = defuse(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse prefixes a cell starting like a formula with an apostrophe (OWASP's CSV injection
// advice). Phone lists ("+86…; +1…") are left alone: they hold no formula.
func defuse(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if strings.Trim(s, "+0123456789; ") == "" {
		return s
	}
	return "'" + s
}
