package cards

// View is a projected card as the API shows it in JSON. Hidden fields are empty.
type View struct {
	UserID      int64    `json:"user_id"`
	DisplayName string   `json:"display_name"`
	Title       string   `json:"title"`
	Company     string   `json:"company"`
	Phones      []string `json:"phones"`
	Emails      []string `json:"emails"`
	Address     string   `json:"address"`
	Website     string   `json:"website"`
	Note        string   `json:"note"`
	AvatarURL   string   `json:"avatar_url,omitempty"`
}

// ViewOf shows an entry; avatarURL is used only when the card shows an avatar.
func ViewOf(e Entry, avatarURL string) View {
	c := e.Card
	v := View{UserID: e.UserID, DisplayName: c.DisplayName, Title: c.Title, Company: c.Company,
		Phones: nonNil(c.Phones), Emails: nonNil(c.Emails), Address: c.Address, Website: c.Website, Note: c.Note}
	if c.HasAvatar {
		v.AvatarURL = avatarURL
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
