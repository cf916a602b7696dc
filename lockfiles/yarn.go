package lockfiles

import "errors"

func parseYarn(in Input) (*Inventory, error) {
	return nil, &ParseError{Path: in.Path, Err: errors.New("yarn.lock parser not written yet")}
}
