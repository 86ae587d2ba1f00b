package deploy

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const k8sDir = "deploy/kubernetes"

// manifests are every object in deploy/kubernetes, by kind and name.
type manifests map[string]doc

func (m manifests) get(t *testing.T, kind, name string, v any) doc {
	t.Helper()
	d, ok := m[kind+"/"+name]
	if !ok {
		t.Fatalf("no %s %q in %s", kind, name, k8sDir)
	}
	if v != nil {
		d.decode(t, v)
	}
	return d
}

// apiVersions are the kinds the manifests may use, at their stable API.
var apiVersions = map[string]string{
	"Deployment":          "apps/v1",
	"StatefulSet":         "apps/v1",
	"Service":             "v1",
	"ConfigMap":           "v1",
	"Secret":              "v1",
	"PodDisruptionBudget": "policy/v1",
	"NetworkPolicy":       "networking.k8s.io/v1",
}

// secretTemplate is applied by hand once filled in, never by kustomize.
const secretTemplate = "secret.yaml"

func loadManifests(t *testing.T) manifests {
	t.Helper()
	m := manifests{}
	for _, file := range append(kustomizeResources(t), secretTemplate) {
		for _, d := range readDocs(t, path.Join(k8sDir, file)) {
			var h header
			d.decode(t, &h)
			if want, ok := apiVersions[h.Kind]; !ok || h.APIVersion != want {
				t.Errorf("%s: %s %s; want one of %v at its stable apiVersion", d.where(), h.APIVersion, h.Kind, apiVersions)
			}
			if h.Metadata.Name == "" {
				t.Errorf("%s: %s without metadata.name", d.where(), h.Kind)
			}
			if h.Metadata.Labels["app.kubernetes.io/name"] != "caisbot" {
				t.Errorf("%s: %s %s lacks the label app.kubernetes.io/name: caisbot", d.where(), h.Kind, h.Metadata.Name)
			}
			key := h.Kind + "/" + h.Metadata.Name
			if _, dup := m[key]; dup {
				t.Errorf("%s: %s defined twice", d.where(), key)
			}
			m[key] = d
		}
	}
	return m
}

// kustomizeResources are the files kustomization.yaml applies; they must
// be every other YAML file in the directory but the Secret template, so
// none is forgotten and the placeholders are never applied.
func kustomizeResources(t *testing.T) []string {
	t.Helper()
	var k kustomization
	docs := readDocs(t, path.Join(k8sDir, "kustomization.yaml"))
	docs[0].decode(t, &k)
	files, err := filepath.Glob(filepath.Join(root, k8sDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var present []string
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" && b != secretTemplate {
			present = append(present, b)
		}
	}
	listed := slices.Clone(k.Resources)
	slices.Sort(listed)
	if !slices.Equal(listed, present) {
		t.Fatalf("kustomization.yaml resources %v; want %v (every manifest but %s)", listed, present, secretTemplate)
	}
	return k.Resources
}

func TestManifestsParse(t *testing.T) {
	m := loadManifests(t)
	for _, kind := range []string{"Deployment/caisbot", "Service/caisbot", "Secret/caisbot-secrets", "PodDisruptionBudget/caisbot",
		"ConfigMap/caisbot-config", "ConfigMap/caisbot-roadmap", "StatefulSet/caisbot-redis", "Service/caisbot-redis"} {
		if _, ok := m[kind]; !ok {
			t.Errorf("missing %s", kind)
		}
	}
	for _, d := range m {
		checkNoYAML11Bools(t, d.file, d.node)
	}
	var k kustomization
	readDocs(t, path.Join(k8sDir, "kustomization.yaml"))[0].decode(t, &k)
	if len(k.Images) != 1 || k.Images[0].Name != "caisbot" || k.Images[0].NewName == "" || (k.Images[0].NewTag == "" && k.Images[0].Digest == "") {
		t.Errorf("kustomization.yaml images %+v; want one entry for caisbot with a name and a tag or digest", k.Images)
	}
}

// botDrain is how long caisbot (internal/app) drains after SIGTERM (its serve's
// Shutdown timeout), read from the source so a longer drain here fails.
func botDrain(t *testing.T) int {
	t.Helper()
	re := regexp.MustCompile(`WithTimeout\(context\.Background\(\), (\d+) ?\* ?time\.Second\)`)
	files, _ := filepath.Glob(filepath.Join(root, "internal", "app", "*.go"))
	drain := 20 // design.md: "SIGTERM drains for up to 20 s"
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, sm := range re.FindAllSubmatch(b, -1) {
			if n, _ := strconv.Atoi(string(sm[1])); n > drain {
				drain = n
			}
		}
	}
	return drain
}

func TestBotDeployment(t *testing.T) {
	m := loadManifests(t)
	var dep deployment
	d := m.get(t, "Deployment", "caisbot", &dep)
	var cm configMap
	m.get(t, "ConfigMap", "caisbot-config", &cm)

	if dep.Spec.Replicas < 2 {
		t.Errorf("replicas %d; want at least 2", dep.Spec.Replicas)
	}
	if !selects(dep.Spec.Selector.MatchLabels, dep.Spec.Template.Metadata.Labels) {
		t.Errorf("selector %v does not select the pod labels %v", dep.Spec.Selector.MatchLabels, dep.Spec.Template.Metadata.Labels)
	}
	if mu := fmt.Sprint(dep.Spec.Strategy.RollingUpdate.MaxUnavailable); dep.Spec.Strategy.Type != "RollingUpdate" || mu != "0" {
		t.Errorf("strategy %s maxUnavailable %s; want RollingUpdate with 0 unavailable", dep.Spec.Strategy.Type, mu)
	}
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers; want 1", d.where(), len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Image != "caisbot" {
		t.Errorf("image %q; want caisbot (kustomization.yaml's images sets the real one)", c.Image)
	}

	// Port and probes: the named port is CAIS_LISTEN_ADDR's.
	port := listenPort(t, cm.Data["CAIS_LISTEN_ADDR"])
	if len(c.Ports) != 1 || c.Ports[0].ContainerPort != port || c.Ports[0].Name == "" {
		t.Errorf("ports %+v; want one named port %d (CAIS_LISTEN_ADDR)", c.Ports, port)
	}
	checkHTTPProbe(t, "livenessProbe", c.LivenessProbe, "/healthz", c)
	checkHTTPProbe(t, "readinessProbe", c.ReadinessProbe, "/readyz", c)

	// Resources: requests and limits for CPU and memory, requests within limits.
	for _, res := range []string{"cpu", "memory"} {
		req, lim := c.Resources.Requests[res], c.Resources.Limits[res]
		rq, err1 := parseQuantity(req)
		lq, err2 := parseQuantity(lim)
		if err1 != nil || err2 != nil {
			t.Errorf("resources %s: request %q limit %q: want both, as quantities", res, req, lim)
		} else if rq > lq {
			t.Errorf("resources %s: request %s above limit %s", res, req, lim)
		}
	}

	checkSecurity(t, pod, c)

	// Termination: preStop pause plus the bot's drain fit in the grace period.
	preStop := 0
	if ps := c.Lifecycle.PreStop; ps != nil && ps.Sleep != nil {
		preStop = ps.Sleep.Seconds
	}
	drain := botDrain(t)
	if g := pod.TerminationGracePeriodSeconds; g == nil || *g < preStop+drain+5 {
		t.Errorf("terminationGracePeriodSeconds %s; want at least %d (preStop %d s + drain %d s + 5 s)", show(g), preStop+drain+5, preStop, drain)
	}

	checkEnvSources(t, m, d, c)

	// The roadmap file is mounted read-only where CAIS_ROADMAP_FILE says.
	if got := roadmapMountPath(t, m, pod, c); got != cm.Data["CAIS_ROADMAP_FILE"] {
		t.Errorf("roadmap mounted at %q; CAIS_ROADMAP_FILE is %q", got, cm.Data["CAIS_ROADMAP_FILE"])
	}
}

// checkSecurity wants the bot non-root as the image's user, with a
// read-only root and no privilege.
func checkSecurity(t *testing.T, pod podSpec, c container) {
	t.Helper()
	sc := merged(pod.SecurityContext, c.SecurityContext)
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Error("runAsNonRoot is not true")
	}
	if uid := show(sc.RunAsUser); uid != imageUID(t) {
		t.Errorf("runAsUser %s; want the Dockerfile's USER %s", uid, imageUID(t))
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("capabilities drop %v; want ALL", sc.Capabilities.Drop)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("automountServiceAccountToken is not false; the bot never calls the Kubernetes API")
	}
}

// checkEnvSources wants configuration from the ConfigMap and the Secret,
// and checks the env the container sets itself.
func checkEnvSources(t *testing.T, m manifests, d doc, c container) {
	t.Helper()
	var fromCM, fromSecret bool
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef != nil {
			m.get(t, "ConfigMap", ef.ConfigMapRef.Name, nil)
			fromCM = true
		}
		if ef.SecretRef != nil {
			m.get(t, "Secret", ef.SecretRef.Name, nil)
			fromSecret = true
		}
	}
	if !fromCM || !fromSecret {
		t.Errorf("envFrom %+v; want a ConfigMap and a Secret", c.EnvFrom)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	checkEnv(t, d.where()+" env", env)
}

// roadmapMountPath is where the caisbot-roadmap ConfigMap's roadmap.yaml
// appears in the container.
func roadmapMountPath(t *testing.T, m manifests, pod podSpec, c container) string {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.ConfigMap == nil || v.ConfigMap.Name != "caisbot-roadmap" {
			continue
		}
		file := "roadmap.yaml"
		for _, it := range v.ConfigMap.Items {
			if it.Key == "roadmap.yaml" {
				file = it.Path
			}
		}
		for _, vm := range c.VolumeMounts {
			if vm.Name == v.Name {
				if !vm.ReadOnly {
					t.Errorf("roadmap volume mount %s is not readOnly", vm.MountPath)
				}
				return path.Join(vm.MountPath, file)
			}
		}
	}
	return ""
}

func checkHTTPProbe(t *testing.T, name string, p *probe, wantPath string, c container) {
	t.Helper()
	if p == nil || p.HTTPGet == nil {
		t.Errorf("%s: want an httpGet probe on %s", name, wantPath)
		return
	}
	if p.HTTPGet.Path != wantPath {
		t.Errorf("%s path %q; want %s", name, p.HTTPGet.Path, wantPath)
	}
	if !portOf(c, p.HTTPGet.Port) {
		t.Errorf("%s port %v is not a port of the container", name, p.HTTPGet.Port)
	}
	if p.TimeoutSeconds < 2 {
		t.Errorf("%s timeoutSeconds %d; /readyz waits up to 1 s for Redis, so allow at least 2", name, p.TimeoutSeconds)
	}
}

// portOf reports whether ref (a name or a number) is one of c's ports.
func portOf(c container, ref any) bool {
	for _, p := range c.Ports {
		if fmt.Sprint(ref) == p.Name || fmt.Sprint(ref) == strconv.Itoa(p.ContainerPort) {
			return true
		}
	}
	return false
}

// merged is the container's effective security context: its own fields
// over the pod's.
func merged(pod, c securityContext) securityContext {
	out := pod
	if c.RunAsNonRoot != nil {
		out.RunAsNonRoot = c.RunAsNonRoot
	}
	if c.RunAsUser != nil {
		out.RunAsUser = c.RunAsUser
	}
	out.ReadOnlyRootFilesystem = c.ReadOnlyRootFilesystem
	out.AllowPrivilegeEscalation = c.AllowPrivilegeEscalation
	out.Capabilities = c.Capabilities
	return out
}

// show prints an optional field.
func show[T any](p *T) string {
	if p == nil {
		return "(unset)"
	}
	return fmt.Sprint(*p)
}

// imageUID is the uid the Dockerfile's runtime stage runs as.
func imageUID(t *testing.T) string {
	t.Helper()
	users := loadDockerfile(t).runtime.all("USER")
	if len(users) == 0 {
		return ""
	}
	return strings.Split(users[len(users)-1].args, ":")[0]
}

// selects reports whether selector picks pods labelled labels.
func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func TestServiceAndDisruptionBudgetSelectTheBot(t *testing.T) {
	m := loadManifests(t)
	var dep deployment
	m.get(t, "Deployment", "caisbot", &dep)
	pod := dep.Spec.Template
	var redis statefulSet
	m.get(t, "StatefulSet", "caisbot-redis", &redis)

	var svc service
	m.get(t, "Service", "caisbot", &svc)
	if !selects(svc.Spec.Selector, pod.Metadata.Labels) || selects(svc.Spec.Selector, redis.Spec.Template.Metadata.Labels) {
		t.Errorf("Service selector %v must select the bot's pods and not Redis'", svc.Spec.Selector)
	}
	if len(svc.Spec.Ports) == 0 || !portOf(pod.Spec.Containers[0], svc.Spec.Ports[0].TargetPort) {
		t.Errorf("Service ports %+v: targetPort is not a port of the bot", svc.Spec.Ports)
	}

	var pdb podDisruptionBudget
	m.get(t, "PodDisruptionBudget", "caisbot", &pdb)
	if !selects(pdb.Spec.Selector.MatchLabels, pod.Metadata.Labels) || selects(pdb.Spec.Selector.MatchLabels, redis.Spec.Template.Metadata.Labels) {
		t.Errorf("PodDisruptionBudget selector %v must select the bot's pods only", pdb.Spec.Selector.MatchLabels)
	}
	min, err := strconv.Atoi(fmt.Sprint(pdb.Spec.MinAvailable))
	if err != nil || min < 1 || min >= dep.Spec.Replicas {
		t.Errorf("PodDisruptionBudget minAvailable %v; want at least 1 and fewer than the %d replicas, so drains can proceed", pdb.Spec.MinAvailable, dep.Spec.Replicas)
	}
}

// parseQuantity reads the Kubernetes quantities the manifests use.
func parseQuantity(q string) (float64, error) {
	suffixes := []struct {
		s string
		f float64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}
	for _, s := range suffixes {
		if n, ok := strings.CutSuffix(q, s.s); ok {
			v, err := strconv.ParseFloat(n, 64)
			return v * s.f, err
		}
	}
	return strconv.ParseFloat(q, 64)
}
