// Package pypi knows what pip knows about wheels, without Python: wheel and
// sdist file names (PEP 427, PEP 625), compatibility tags (PEP 425, manylinux
// PEP 600 and its legacy aliases, musllinux PEP 656, abi3) and the ordered
// list of tags an interpreter accepts, computed as packaging.tags does; the
// best wheel for a target; a simple-repository client (PEP 691 JSON, PEP 503
// HTML) with an on-disk cache and an offline mode; and, for locked
// requirements and candidate base images, whether each dependency installs
// from a wheel, needs a source build (and which system packages), or cannot
// be installed at all.
//
// It prints nothing and reads no flags: callers pass options.
package pypi
