// Package helmtest renders the Helm chart in deploy/helm/mockcloud with
// Helm's Go library and checks the objects it makes. It is a module of its
// own so that the root module does not take on Helm's and Kubernetes'
// dependencies.
package helmtest
