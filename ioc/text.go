package ioc

// A textPattern is one lower-case string the text matcher looks for, and
// the indicators it stands for.
type textPattern struct {
	text string
	kind Kind
	inds []*Indicator
}

// textBuilder collects patterns for a textMatcher.
type textBuilder struct {
	pats  []*textPattern
	byKey map[string]*textPattern
}

func newTextBuilder() *textBuilder { return &textBuilder{byKey: map[string]*textPattern{}} }

func (b *textBuilder) len() int { return len(b.pats) }

func (b *textBuilder) add(text string, ind *Indicator) {
	key := string(ind.Kind) + "\x00" + text
	p := b.byKey[key]
	if p == nil {
		p = &textPattern{text: text, kind: ind.Kind}
		b.byKey[key] = p
		b.pats = append(b.pats, p)
	}
	p.inds = append(p.inds, ind)
}

// A textMatcher finds every pattern in a text in one pass, ASCII
// case-insensitively: an Aho-Corasick automaton compiled into a DFA over
// byte classes (only bytes that occur in some pattern get a class of their
// own), so a step is one table lookup whatever the number of patterns.
type textMatcher struct {
	class  [256]uint8
	nclass int
	delta  []int32   // state*nclass + class → state
	out    [][]int32 // state → patterns ending here (through suffix links too)
	pats   []*textPattern
}

func (b *textBuilder) build() *textMatcher {
	m := &textMatcher{pats: b.pats}
	// Byte classes: 0 is "no pattern has this byte"; upper-case letters
	// share the class of their lower-case form.
	for _, p := range b.pats {
		for i := 0; i < len(p.text); i++ {
			c := p.text[i]
			if m.class[c] == 0 {
				m.nclass++
				m.class[c] = uint8(m.nclass)
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+'a'-'A']
	}
	m.nclass++
	// Trie.
	type node struct {
		next map[uint8]int32
		fail int32
		out  []int32
	}
	nodes := []node{{next: map[uint8]int32{}}}
	for pi, p := range b.pats {
		s := int32(0)
		for i := 0; i < len(p.text); i++ {
			c := m.class[p.text[i]]
			t, ok := nodes[s].next[c]
			if !ok {
				t = int32(len(nodes))
				nodes = append(nodes, node{next: map[uint8]int32{}})
				nodes[s].next[c] = t
			}
			s = t
		}
		nodes[s].out = append(nodes[s].out, int32(pi))
	}
	// Breadth-first: suffix links and the full transition table.
	m.delta = make([]int32, len(nodes)*m.nclass)
	m.out = make([][]int32, len(nodes))
	queue := []int32{0}
	for head := 0; head < len(queue); head++ {
		s := queue[head]
		n := &nodes[s]
		if s != 0 {
			n.out = append(n.out, m.out[n.fail]...)
		}
		m.out[s] = n.out
		for c := 0; c < m.nclass; c++ {
			if t, ok := n.next[uint8(c)]; ok && c != 0 {
				if s == 0 {
					nodes[t].fail = 0
				} else {
					nodes[t].fail = m.delta[int(n.fail)*m.nclass+c]
				}
				m.delta[int(s)*m.nclass+c] = t
				queue = append(queue, t)
			} else if s != 0 {
				m.delta[int(s)*m.nclass+c] = m.delta[int(n.fail)*m.nclass+c]
			}
		}
	}
	return m
}

// scan calls fn for every match of a pattern in t that stands on word
// boundaries fit for its kind (see boundaryOK), with the byte offsets of
// the match.
func scanText[T string | []byte](m *textMatcher, t T, fn func(p *textPattern, start, end int)) {
	if m == nil {
		return
	}
	s := int32(0)
	for i := 0; i < len(t); i++ {
		s = m.delta[int(s)*m.nclass+int(m.class[t[i]])]
		for _, pi := range m.out[s] {
			p := m.pats[pi]
			start, end := i+1-len(p.text), i+1
			if boundaryOK(t, p.kind, start, end) {
				fn(p, start, end)
			}
		}
	}
}

func (m *textMatcher) scan(t string, fn func(p *textPattern, start, end int)) { scanText(m, t, fn) }

// boundaryOK checks the characters around a match: a domain must not be
// the tail of a longer label ("notgiftshop.club") nor the head of a longer
// name ("giftshop.club.example"), a dot before it is fine (a subdomain);
// an e-mail address must not continue a longer local part; a URL must
// start at a non-alphanumeric character.
func boundaryOK[T string | []byte](t T, k Kind, start, end int) bool {
	var before byte
	if start > 0 {
		before = t[start-1]
	}
	switch k {
	case KindDomain:
		// "%40" is a URL-encoded "@" (phan%40giftshop.club): a boundary.
		if start > 0 && isLabelChar(before) && !(start >= 3 && t[start-3] == '%' && t[start-2] == '4' && t[start-1] == '0') {
			return false
		}
	case KindEmail:
		if start > 0 && (isLabelChar(before) || before == '.' || before == '+' || before == '%') {
			return false
		}
	case KindURL:
		c := before | 0x20
		if start > 0 && (c >= 'a' && c <= 'z' || before >= '0' && before <= '9') {
			return false
		}
		return true
	}
	if end < len(t) {
		after := t[end]
		if isLabelChar(after) {
			return false
		}
		if after == '.' && end+1 < len(t) && isLabelChar(t[end+1]) {
			return false
		}
	}
	return true
}

// isLabelChar reports whether c may appear in a domain label.
func isLabelChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
