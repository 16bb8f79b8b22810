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
			row[i] = Defuse(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula
// (OWASP, CSV injection): "+1+1" and "-2" are formulas too, so numbers and phone lists are
// no exception.
const formulaStarts = "=+-@\t\r"

// Defuse prefixes a cell that starts like a formula with an apostrophe, which makes a
// spreadsheet show the cell as text.
func Defuse(s string) string {
	if s == "" || !strings.ContainsRune(formulaStarts, rune(s[0])) {
		return s
	}
	return "'" + s
}

// Live reports whether a spreadsheet would read the cell as a formula.
func Live(cell string) bool {
	return cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0]))
}
