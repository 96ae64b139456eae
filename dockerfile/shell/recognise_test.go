package shell

import (
	"reflect"
	"testing"
)

// first parses in and returns its first command.
func first(t *testing.T, in string) Command {
	t.Helper()
	s, err := Parse(in)
	if err != nil || len(s.Commands) == 0 {
		t.Fatalf("Parse(%q) = %v, %v", in, s, err)
	}
	return s.Commands[0]
}

func TestAsApt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Apt
		ok   bool
	}{
		{"apt-get update", Apt{Tool: "apt-get", Sub: "update"}, true},
		{"apt-get install -y --no-install-recommends gcc libpq-dev=15.*", Apt{Tool: "apt-get", Sub: "install", Yes: true, NoInstallRecommends: true, Packages: []string{"gcc", "libpq-dev=15.*"}}, true},
		{"apt-get -qq install curl", Apt{Tool: "apt-get", Sub: "install", Yes: true, Packages: []string{"curl"}}, true},
		{"apt install -yq curl", Apt{Tool: "apt", Sub: "install", Yes: true, Packages: []string{"curl"}}, true},
		{"apt-get -o APT::Install-Recommends=false -o Dpkg::Options::=--force-confold install --assume-yes curl", Apt{Tool: "apt-get", Sub: "install", Yes: true, NoInstallRecommends: true, Packages: []string{"curl"}}, true},
		{"sudo apt-get -t bookworm-backports install curl", Apt{Tool: "apt-get", Sub: "install", Packages: []string{"curl"}}, true},
		{"aptitude install curl", Apt{}, false},
	}
	for _, tt := range tests {
		got, ok := AsApt(first(t, tt.in))
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("AsApt(%q) = %+v, %v, want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAsApk(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Apk
	}{
		{"apk add --no-cache --virtual .build-deps gcc musl-dev", Apk{Sub: "add", NoCache: true, Virtual: ".build-deps", Packages: []string{"gcc", "musl-dev"}}},
		{"apk --update add curl", Apk{Sub: "add", Update: true, Packages: []string{"curl"}}},
		{"apk add -t=.deps -U libffi-dev", Apk{Sub: "add", Update: true, Virtual: ".deps", Packages: []string{"libffi-dev"}}},
		{"apk del .build-deps", Apk{Sub: "del", Packages: []string{".build-deps"}}},
	}
	for _, tt := range tests {
		got, ok := AsApk(first(t, tt.in))
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("AsApk(%q) = %+v, %v, want %+v", tt.in, got, ok, tt.want)
		}
	}
}

func TestAsPip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Pip
		ok   bool
	}{
		{"pip install flask", Pip{Launcher: "pip", Sub: "install", Packages: []Requirement{{Raw: "flask", Name: "flask"}}}, true},
		{"pip3.12 --no-cache-dir install -r requirements.txt -c constraints.txt", Pip{Launcher: "pip3.12", Sub: "install", NoCacheDir: true, Requirements: []string{"requirements.txt"}, Constraints: []string{"constraints.txt"}}, true},
		{"python3 -m pip install --user -U pip", Pip{Launcher: "python3 -m pip", Sub: "install", User: true, Upgrade: true, Packages: []Requirement{{Raw: "pip", Name: "pip"}}}, true},
		{"/opt/venv/bin/python -I -m pip install --prefix=/install -rreq.txt", Pip{Launcher: "python -m pip", Sub: "install", Prefix: "/install", Requirements: []string{"req.txt"}}, true},
		{"pip install --target /deps -e . --cache-dir /tmp/c", Pip{Launcher: "pip", Sub: "install", Target: "/deps", CacheDir: "/tmp/c", Packages: []Requirement{{Raw: ".", Kind: ReqPath, Editable: true}}}, true},
		{"uv pip install --system --no-cache -r requirements.txt", Pip{Launcher: "uv pip", Sub: "install", System: true, NoCacheDir: true, Requirements: []string{"requirements.txt"}}, true},
		{"uv --no-cache pip install x", Pip{Launcher: "uv pip", Sub: "install", NoCacheDir: true, Packages: []Requirement{{Raw: "x", Name: "x"}}}, true},
		{"uv sync --frozen", Pip{}, false},
		{"python3 -c 'import pip'", Pip{}, false},
		{"python3 script.py -m pip", Pip{}, false},
		{"pipx install poetry", Pip{}, false},
	}
	for _, tt := range tests {
		got, ok := AsPip(first(t, tt.in))
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("AsPip(%q) = %+v, %v, want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseRequirement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in                  string
		kind                ReqKind
		name, spec          string
		pinned, constrained bool
	}{
		{"flask", ReqName, "flask", "", false, false},
		{"flask==3.0.0", ReqName, "flask", "==3.0.0", true, true},
		{"flask>=3", ReqName, "flask", ">=3", false, true},
		{"flask~=3.0", ReqName, "flask", "~=3.0", false, true},
		{"flask==3.*", ReqName, "flask", "==3.*", false, true},
		{"flask===3.0.0", ReqName, "flask", "===3.0.0", true, true},
		{"Flask[async] >= 3, < 4 ; python_version >= '3.9'", ReqName, "Flask", ">=3,<4", false, true},
		{"uvicorn[standard]==0.30.1", ReqName, "uvicorn", "==0.30.1", true, true},
		{"requests (==2.32.3)", ReqName, "requests", "==2.32.3", true, true},
		{".", ReqPath, "", "", false, false},
		{"./dist/*.whl", ReqPath, "", "", false, false},
		{"/wheels/app-1.0-py3-none-any.whl", ReqPath, "", "", false, false},
		{"app-1.0.tar.gz", ReqPath, "", "", false, false},
		{"./pkg[dev]", ReqPath, "", "", false, false},
		{"file:///wheels/x.whl", ReqPath, "", "", false, false},
		{"git+https://github.com/x/y@v1", ReqURL, "", "", false, false},
		{"https://example.com/x-1.0.tar.gz", ReqURL, "", "", false, false},
		{"pkg @ https://example.com/pkg.whl", ReqURL, "pkg", "", false, false},
		{"$PACKAGE", ReqDynamic, "", "", false, false},
		{"flask==${FLASK_VERSION}", ReqDynamic, "", "", false, false},
	}
	for _, tt := range tests {
		r := ParseRequirement(tt.in)
		if r.Kind != tt.kind || r.Name != tt.name || r.Specifier != tt.spec || r.Pinned() != tt.pinned || r.Constrained() != tt.constrained {
			t.Errorf("ParseRequirement(%q) = %s %q %q pinned=%v constrained=%v, want %s %q %q %v %v",
				tt.in, r.Kind, r.Name, r.Specifier, r.Pinned(), r.Constrained(), tt.kind, tt.name, tt.spec, tt.pinned, tt.constrained)
		}
	}
}

func TestAsProjectTool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Invocation
	}{
		{"poetry install --no-root --only main", Invocation{Tool: "poetry", Sub: "install", Args: []string{"--no-root", "--only", "main"}}},
		{"poetry -C /app export -f requirements.txt", Invocation{Tool: "poetry", Sub: "export", Args: []string{"-C", "/app", "-f", "requirements.txt"}}},
		{"python -m poetry install", Invocation{Tool: "poetry", Sub: "install"}},
		{"uv sync --frozen --no-dev", Invocation{Tool: "uv", Sub: "sync", Args: []string{"--frozen", "--no-dev"}}},
		{"uv pip install x", Invocation{Tool: "uv", Sub: "pip install", Args: []string{"x"}}},
		{"uv tool install poetry", Invocation{Tool: "uv", Sub: "tool install", Args: []string{"poetry"}}},
		{"pipenv install --deploy --system", Invocation{Tool: "pipenv", Sub: "install", Args: []string{"--deploy", "--system"}}},
		{"pip-sync requirements.txt", Invocation{Tool: "pip-sync", Args: []string{"requirements.txt"}}},
		{"python -m piptools compile", Invocation{Tool: "pip-compile"}},
	}
	for _, tt := range tests {
		got, ok := AsProjectTool(first(t, tt.in))
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("AsProjectTool(%q) = %#v, %v, want %#v", tt.in, got, ok, tt.want)
		}
	}
	iv, _ := AsProjectTool(first(t, "poetry install --no-root --only=main"))
	if !iv.Flag("--no-root") || iv.Flag("--no-dev") {
		t.Errorf("Flag on %v wrong", iv)
	}
	if v, ok := iv.Value("--only"); v != "main" || !ok {
		t.Errorf("Value(--only) = %q, %v, want main, true", v, ok)
	}
}

func TestDependencyInstall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"pip install -r requirements.txt", true},
		{"pip install --no-cache-dir --requirement=requirements/prod.txt", true},
		{"uv pip install -r requirements.txt", true},
		{"uv pip sync requirements.txt", true},
		{"uv sync --frozen --no-install-project", true},
		{"poetry install --no-root", true},
		{"pdm install --prod", true},
		{"pipenv install --deploy", true},
		{"pip-sync", true},
		{"pip install .", false},
		{"pip install flask", false},
		{"poetry export -o requirements.txt", false},
		{"uv venv", false},
	}
	for _, tt := range tests {
		if _, got := DependencyInstall(first(t, tt.in)); got != tt.want {
			t.Errorf("DependencyInstall(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAsVenv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Venv
		ok   bool
	}{
		{"python -m venv /opt/venv", Venv{Tool: "venv", Path: "/opt/venv"}, true},
		{"python3.12 -m venv --copies --prompt app /venv", Venv{Tool: "venv", Path: "/venv"}, true},
		{"virtualenv -p python3 /env", Venv{Tool: "virtualenv", Path: "/env"}, true},
		{"uv venv", Venv{Tool: "uv venv", Path: ".venv"}, true},
		{"uv venv --python 3.12 /opt/venv", Venv{Tool: "uv venv", Path: "/opt/venv"}, true},
		{"python -m pip install x", Venv{}, false},
	}
	for _, tt := range tests {
		got, ok := AsVenv(first(t, tt.in))
		if ok != tt.ok || got != tt.want {
			t.Errorf("AsVenv(%q) = %+v, %v, want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAsRmAndOwnership(t *testing.T) {
	t.Parallel()
	r, ok := AsRm(first(t, "rm -rf /var/lib/apt/lists/* /root/.cache"))
	if !ok || !r.Recursive || !r.Force || !reflect.DeepEqual(r.Paths, []string{"/var/lib/apt/lists/*", "/root/.cache"}) {
		t.Errorf("AsRm = %+v, %v", r, ok)
	}
	tests := []struct {
		in   string
		want Ownership
	}{
		{"chown -R app:app /app", Ownership{Tool: "chown", Recursive: true, Spec: "app:app", Paths: []string{"/app"}}},
		{"chmod -x /entry.sh", Ownership{Tool: "chmod", Spec: "-x", Paths: []string{"/entry.sh"}}},
		{"chmod --recursive g+w /data /logs", Ownership{Tool: "chmod", Recursive: true, Spec: "g+w", Paths: []string{"/data", "/logs"}}},
		{"chgrp -hR 0 /app", Ownership{Tool: "chgrp", Recursive: true, Spec: "0", Paths: []string{"/app"}}},
	}
	for _, tt := range tests {
		got, ok := AsOwnership(first(t, tt.in))
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("AsOwnership(%q) = %+v, %v, want %+v", tt.in, got, ok, tt.want)
		}
	}
}

func TestDownloads(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		output  string
		pipedTo string
	}{
		{"curl -fsSL https://astral.sh/uv/install.sh | sh", "", "sh"},
		{"curl -sSL https://install.python-poetry.org | python3 -", "", "python3"},
		{"wget -qO- https://x/y.sh | bash -s", "-", "bash"},
		{"curl -o /tmp/x.tgz https://x/y.tgz && tar xzf /tmp/x.tgz", "/tmp/x.tgz", ""},
		{"curl -fsSL https://x/y.tgz | tar xz", "", ""},
		{"curl -fsSLo /tmp/get.sh https://x/get.sh", "/tmp/get.sh", ""},
	}
	for _, tt := range tests {
		s, _ := Parse(tt.in)
		d := Downloads(s)
		if len(d) != 1 || d[0].Output != tt.output || d[0].PipedTo != tt.pipedTo || len(d[0].URLs) != 1 {
			t.Errorf("Downloads(%q) = %+v, want output %q piped to %q", tt.in, d, tt.output, tt.pipedTo)
		}
	}
}

func TestPackagingToolInstalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"pip install poetry==1.8.3 poetry-plugin-export", []string{"poetry"}},
		{"pip install --no-cache-dir pip-tools uv", []string{"pip-tools", "uv"}},
		{"pipx install pdm", []string{"pdm"}},
		{"pipx install pdm==2.19.1", []string{"pdm"}},
		{"uv tool install Poetry", []string{"poetry"}},
		{"curl -sSL https://install.python-poetry.org | python3 -", []string{"poetry"}},
		{"curl -LsSf https://astral.sh/uv/install.sh | sh", []string{"uv"}},
		{"pip install flask gunicorn", nil},
		{"poetry install", nil},
	}
	for _, tt := range tests {
		s, _ := Parse(tt.in)
		var got []string
		for _, ti := range PackagingToolInstalls(s) {
			got = append(got, ti.Tool)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PackagingToolInstalls(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsBuildPackage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"gcc", true}, {"g++", true}, {"gcc-12", true}, {"build-essential", true},
		{"build-base", true}, {"musl-dev", true}, {"python3-dev", true},
		{"libpq-dev=15.6-0+deb12u1", true}, {"libffi-dev:amd64", true},
		{"postgresql-dev>15", true}, {"openssl-devel", true},
		{"libpq5", false}, {"curl", false}, {"make", false}, {"gcc-doc", false},
		{"ca-certificates", false}, {"devscripts", false},
	}
	for _, tt := range tests {
		if got := IsBuildPackage(tt.in); got != tt.want {
			t.Errorf("IsBuildPackage(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
