package analyze

import (
	"github.com/pyimg/pyimg/report"
)

// Result is the analysis of one image. Its JSON field names are a public
// interface.
type Result struct {
	// SizeBytes is the sum of the file sizes in every layer's tar headers, as
	// dive counts an image (files overwritten or deleted later count again).
	SizeBytes int64 `json:"size_bytes"`
	// UserSizeBytes is SizeBytes without the first layer, dive's "user" size.
	UserSizeBytes int64 `json:"user_size_bytes"`
	// TarBytes is the sum of the uncompressed layer tar streams.
	TarBytes int64 `json:"tar_bytes"`
	// CompressedBytes is the sum of the layer blob sizes.
	CompressedBytes int64 `json:"compressed_bytes"`
	// FinalBytes is the size of the regular files of the final filesystem.
	FinalBytes int64 `json:"final_bytes"`
	// WastedBytes is dive's wasted bytes: the cumulative size of every path
	// that appears in more than one layer, deletions included.
	WastedBytes int64 `json:"wasted_bytes"`
	// WastedUserPercent is WastedBytes / UserSizeBytes as a ratio (0 when
	// there are no user bytes).
	WastedUserPercent float64 `json:"wasted_user_percent"`
	// Efficiency is dive's efficiency score, between 0 and 1.
	Efficiency float64 `json:"efficiency"`
	// Files counts the regular files of the final filesystem.
	Files int `json:"files"`

	Layers       []Layer      `json:"layers"`
	WastedFiles  []WastedFile `json:"wasted_files"`
	BiggestFiles []PathSize   `json:"biggest_files"`
	BiggestDirs  []PathSize   `json:"biggest_dirs"`
	// Tree is the final filesystem by directory, three levels deep, for a
	// treemap: where the bytes are and where the wasted bytes lie.
	Tree           *TreeNode        `json:"tree"`
	Interpreters   []Interpreter    `json:"interpreters"`
	PythonPackages []PythonPackage  `json:"python_packages"`
	Leftovers      []Leftover       `json:"leftovers"`
	User           string           `json:"user"`
	Security       Security         `json:"security"`
	Findings       []report.Finding `json:"findings"`
}

// Layer describes one layer.
type Layer struct {
	Index     int    `json:"index"`
	Digest    string `json:"digest"`
	DiffID    string `json:"diff_id"`
	CreatedBy string `json:"created_by"`
	// SizeBytes is the sum of the layer's file sizes (dive's layer size).
	SizeBytes       int64 `json:"size_bytes"`
	TarBytes        int64 `json:"tar_bytes"`
	CompressedBytes int64 `json:"compressed_bytes"`
	// Files counts the layer's entries other than directories, whiteouts
	// and opaque markers.
	Files     int `json:"files"`
	Deletions int `json:"deletions"`
}

// WastedFile is a path that costs bytes in more than one layer (dive's
// inefficiency).
type WastedFile struct {
	Path string `json:"path"`
	// Count is the number of layers that added, replaced or deleted it.
	Count     int   `json:"count"`
	SizeBytes int64 `json:"size_bytes"`
}

// PathSize is a file or directory of the final filesystem and its size.
type PathSize struct {
	Path      string `json:"path"`
	SizeBytes int64  `json:"size_bytes"`
	// Layer is the layer that last wrote a file (files only).
	Layer *int `json:"layer,omitempty"`
	// Files counts the regular files below a directory (directories only).
	Files int `json:"files,omitempty"`
}

// Interpreter is a Python executable of the final filesystem.
type Interpreter struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	// Target is the symlink target, when the path is a symlink.
	Target string `json:"target,omitempty"`
	// Venv is the virtual environment root when the interpreter belongs to
	// one (a pyvenv.cfg next to its bin directory).
	Venv  string `json:"venv,omitempty"`
	Layer int    `json:"layer"`
}

// PythonPackage is an installed Python distribution.
type PythonPackage struct {
	// Name is normalised as PEP 503 does ("zope-interface").
	Name    string `json:"name"`
	Version string `json:"version"`
	// SizeBytes is the size, in the final filesystem, of the files its
	// RECORD (or installed-files.txt) lists plus unlisted files below its
	// top-level import directories.
	SizeBytes int64 `json:"size_bytes"`
	Files     int   `json:"files"`
	// Location is the directory the metadata directory lives in
	// (site-packages, dist-packages or a --target/--prefix directory).
	Location string `json:"location"`
	// Metadata is the .dist-info or .egg-info path.
	Metadata  string `json:"metadata"`
	Installer string `json:"installer"`
	// Layer is the layer that installed the metadata.
	Layer int `json:"layer"`
	// Python is the X.Y version implied by the location, if any.
	Python string `json:"python,omitempty"`
}

// Leftover is something present in the final image that is only useful
// while building it.
type Leftover struct {
	// Kind is one of pip-cache, uv-cache, poetry-cache, build-pycache, tests,
	// c-headers, apt-lists, compiler.
	Kind      string `json:"kind"`
	Path      string `json:"path"`
	SizeBytes int64  `json:"size_bytes"`
	Files     int    `json:"files"`
	// Layer is the layer that added most of these bytes.
	Layer int `json:"layer"`
}

// Security collects security-relevant facts of the image.
type Security struct {
	// User is the configured user; RunsAsRoot is true when it is empty,
	// "root" or uid 0.
	User            string   `json:"user"`
	RunsAsRoot      bool     `json:"runs_as_root"`
	Shells          []string `json:"shells"`
	PackageManagers []string `json:"package_managers"`
	// NetworkTools are curl and wget executables in a bin directory: what
	// an attacker uses to fetch a second stage.
	NetworkTools  []string   `json:"network_tools"`
	Setuid        []FileFact `json:"setuid"`
	WorldWritable []FileFact `json:"world_writable"`
	Secrets       []Secret   `json:"secrets"`
}

// FileFact is a file of the final filesystem with a notable property.
type FileFact struct {
	Path  string `json:"path"`
	Mode  string `json:"mode"`
	Layer int    `json:"layer"`
}

// Secret is a credential found in a file of a layer or in the config.
type Secret struct {
	// Kind names what was found: private-key, aws-access-key, github-token,
	// aws-credentials, env-file, npmrc-token, pypirc-password,
	// netrc-password, git-credentials, env.
	Kind string `json:"kind"`
	// Path is the file (empty for config env secrets).
	Path string `json:"path,omitempty"`
	// Layer is the layer the file is in (nil for config env secrets).
	Layer *int `json:"layer,omitempty"`
	// Env is the variable name for config env secrets and build arguments.
	Env string `json:"env,omitempty"`
	// History is the index of the config history entry whose created_by
	// holds the secret (a build argument or a literal token), if any.
	History *int `json:"history,omitempty"`
	// Deleted is true when a later layer deleted or replaced the file: the
	// bytes are still in the layer blob.
	Deleted bool `json:"deleted,omitempty"`
}
