package report

// seenFrom says, in words, where a host trace's time comes from, when it
// is not the trace's own record of the fetch: " (directory time)".
func seenFrom(from string) string {
	switch from {
	case "", "npm-cache-entry":
		return ""
	case "file-mtime":
		return " (file time)"
	case "dir-mtime":
		return " (directory time)"
	case "log-file-name":
		return " (npm run start)"
	case "dlx-dir-name":
		return " (dlx directory made)"
	}
	return " (" + clean(from) + ")"
}
