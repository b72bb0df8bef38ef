package scenarios

// What an export holds that kcmock does not read. A key whose value is the one Keycloak 26
// gives a new realm (or client, user…) changes nothing kcmock would do differently, so it is
// accepted silently; any other value is reported as a warning.

var realmDefaults = lazyJSON(`{
  "ssoSessionIdleTimeoutRememberMe": 0, "ssoSessionMaxLifespanRememberMe": 0,
  "clientOfflineSessionIdleTimeout": 0, "clientOfflineSessionMaxLifespan": 0,
  "actionTokenGeneratedByAdminLifespan": 43200, "actionTokenGeneratedByUserLifespan": 300,
  "oauth2DeviceCodeLifespan": 600, "oauth2DevicePollingInterval": 5,
  "sslRequired": "external", "registrationAllowed": false, "registrationEmailAsUsername": false,
  "rememberMe": false, "verifyEmail": false, "resetPasswordAllowed": false, "editUsernameAllowed": false,
  "bruteForceProtected": false, "permanentLockout": false, "maxTemporaryLockouts": 0,
  "bruteForceStrategy": "MULTIPLE", "maxFailureWaitSeconds": 900, "minimumQuickLoginWaitSeconds": 60,
  "waitIncrementSeconds": 60, "quickLoginCheckMilliSeconds": 1000, "maxDeltaTimeSeconds": 43200,
  "failureFactor": 30, "requiredCredentials": ["password"], "localizationTexts": {},
  "browserSecurityHeaders": {
    "contentSecurityPolicyReportOnly": "", "xContentTypeOptions": "nosniff", "referrerPolicy": "no-referrer",
    "xRobotsTag": "none", "xFrameOptions": "SAMEORIGIN", "xXSSProtection": "1; mode=block",
    "contentSecurityPolicy": "frame-src 'self'; frame-ancestors 'self'; object-src 'none';",
    "strictTransportSecurity": "max-age=31536000; includeSubDomains"
  },
  "smtpServer": {}, "eventsEnabled": false, "eventsListeners": ["jboss-logging"], "enabledEventTypes": [],
  "adminEventsEnabled": false, "adminEventsDetailsEnabled": false, "identityProviderMappers": [],
  "internationalizationEnabled": false, "supportedLocales": [],
  "browserFlow": "browser", "registrationFlow": "registration", "directGrantFlow": "direct grant",
  "resetCredentialsFlow": "reset credentials", "clientAuthenticationFlow": "clients",
  "dockerAuthenticationFlow": "docker auth", "firstBrokerLoginFlow": "first broker login",
  "userManagedAccessAllowed": false, "organizationsEnabled": false, "verifiableCredentialsEnabled": false,
  "adminPermissionsEnabled": false, "clientProfiles": {"profiles": []}, "clientPolicies": {"policies": []},
  "userFederationProviders": [], "userFederationMappers": [], "federatedUsers": [], "organizations": [],
  "defaultGroups": [], "clientTemplates": [],
  "applications": [], "oauthClients": [], "social": false, "updateProfileOnInitialSocialLogin": false
}`)

var clientDefaults = lazyJSON(`{
  "surrogateAuthRequired": false, "notBefore": 0, "authenticationFlowBindingOverrides": {},
  "registeredNodes": {}, "defaultRoles": [], "authorizationServicesEnabled": false,
  "directGrantsOnly": false, "useTemplateConfig": false, "useTemplateScope": false, "useTemplateMappers": false
}`)

var userDefaults = lazyJSON(`{"notBefore": 0, "federationLink": "", "socialLinks": [], "applicationRoles": {}}`)

var idpDefaults = lazyJSON(`{
  "updateProfileFirstLoginMode": "on", "updateProfileFirstLogin": false, "trustEmail": false,
  "storeToken": false, "addReadTokenRoleOnCreate": false, "authenticateByDefault": false,
  "linkOnly": false, "hideOnLogin": false, "firstBrokerLoginFlowAlias": "first broker login",
  "postBrokerLoginFlowAlias": "", "internalId": "", "organizationId": "", "types": []
}`)

// notEmulated says why, for keys and component types that come up often.
var notEmulated = map[string]string{
	"sslRequired":              "kcmock answers on whatever scheme it is reached by",
	"passwordPolicy":           "passwords are not checked against a policy",
	"bruteForceProtected":      "no brute-force detection",
	"smtpServer":               "kcmock sends no e-mail",
	"eventsEnabled":            "no event store",
	"registrationAllowed":      "no self-registration",
	"verifyEmail":              "no e-mail verification",
	"loginTheme":               "kcmock's pages have one look",
	"defaultGroups":            "kcmock creates no users at run time",
	"federationLink":           "user federation (LDAP, Kerberos) is not emulated",
	"identityProviderMappers":  "identity provider mappers run on browser brokering, which is not emulated",
	"browserFlow":              "authentication flows are not emulated",
	"directGrantFlow":          "authentication flows are not emulated (the password grant checks username and password)",
	"clientAuthenticationFlow": "authentication flows are not emulated (clients authenticate with their secret)",
	"adminPermissionsEnabled":  "fine-grained admin permissions v2 are not emulated (v1 are)",
	"org.keycloak.storage.UserStorageProvider": "user federation (LDAP, Kerberos) is not emulated: only the exported users exist",
}

// defaultRegistrationPolicies are the client registration policies of every new realm.
var defaultRegistrationPolicies = map[string]bool{
	"max-clients": true, "allowed-protocol-mappers": true, "consent-required": true,
	"allowed-client-templates": true, "scope": true, "trusted-hosts": true,
}

// defaultAuthenticatorConfigs are the authenticator configs of every new realm's flows.
var defaultAuthenticatorConfigs = map[string]bool{
	"create unique user config": true, "review profile config": true,
	"browser-conditional-credential": true, "first-broker-login-conditional-credential": true,
}

// unemulated reports sections of the realm that kcmock does not act on and that differ from
// what Keycloak creates: custom authentication flows and required actions.
func (ri *realmImporter) unemulated(o *jsonObj) {
	for _, f := range o.objs("authenticationFlows") {
		if !boolOr(f.boolp("builtIn"), false) {
			ri.warn(f.path, "custom authentication flow %q is not emulated (kcmock's password grant checks the username and password only)", f.str("alias"))
		}
		f.done(nil, f.keys()...)
	}
	for _, c := range o.objs("authenticatorConfig") {
		if !defaultAuthenticatorConfigs[c.str("alias")] {
			ri.warn(c.path, "authenticator config %q is not emulated", c.str("alias"))
		}
		c.done(nil, c.keys()...)
	}
	// A realm imported with a requiredActions list has those actions only (RepresentationToModel
	// adds the defaults only when the list is missing): Verify Profile acts when listed enabled.
	if _, listed := o.get("requiredActions"); listed {
		vp := false
		ri.doc.VerifyProfile = &vp
	}
	for _, a := range o.objs("requiredActions") {
		id := a.str("providerId")
		if id == "VERIFY_PROFILE" || a.str("alias") == "VERIFY_PROFILE" {
			vp := boolOr(a.boolp("enabled"), false)
			ri.doc.VerifyProfile = &vp
		} else if !knownRequiredActions[id] && id != "idp_link" {
			ri.warn(a.path, "required action %q is not emulated", id)
		}
		a.done(nil, a.keys()...)
	}
}
