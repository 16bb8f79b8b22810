package cards

// JSONCard is a card's own fields as the JSON API takes them (PUT /me/card) and shows them
// (in View): the one JSON shape of a card.
type JSONCard struct {
	DisplayName string   `json:"display_name"`
	Title       string   `json:"title"`
	Company     string   `json:"company"`
	Phones      []string `json:"phones"`
	Emails      []string `json:"emails"`
	Address     string   `json:"address"`
	Website     string   `json:"website"`
	Note        string   `json:"note"`
}

// Card is the card the JSON carries, to be cleaned (Clean) before it is stored.
func (j JSONCard) Card() Card {
	return Card{DisplayName: j.DisplayName, Title: j.Title, Company: j.Company, Phones: j.Phones,
		Emails: j.Emails, Address: j.Address, Website: j.Website, Note: j.Note}
}

// View is a projected card as the API shows it in JSON. Hidden fields are empty.
type View struct {
	UserID int64 `json:"user_id"`
	JSONCard
	AvatarURL string `json:"avatar_url,omitempty"`
}

// ViewOf shows an entry; avatarURL is used only when the card shows an avatar.
func ViewOf(e Entry, avatarURL string) View {
	c := e.Card
	v := View{UserID: e.UserID, JSONCard: JSONCard{DisplayName: c.DisplayName, Title: c.Title, Company: c.Company,
		Phones: nonNil(c.Phones), Emails: nonNil(c.Emails), Address: c.Address, Website: c.Website, Note: c.Note}}
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
