package imagereport

import "strconv"

func strconvFormat(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
