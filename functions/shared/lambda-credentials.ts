/**
 * In the Lambda bundles, the AWS SDK's credential sources that read a developer's machine (SSO, the
 * shared config and credentials files, credential_process, a web identity token file) are this
 * module: infra/lib/bundle.ts aliases their packages here. Lambda gives a function its execution
 * role's credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * the first source of the SDK's default chain, so these are never reached in Lambda; bundled, they and
 * the STS, SSO and sign-in clients they call were about 100 KiB of each bundle. Each declines as a
 * source with nothing to offer does (`tryNextLink`), so the chain goes on to the container and
 * instance metadata sources, which stay bundled. Tests and tools run the sources unbundled: the real
 * SDK chain.
 */
function notBundled(source: string) {
    return () => async (): Promise<never> => {
        throw Object.assign(new Error(`credentials from ${source} are not bundled in this Lambda function: it takes its role's credentials from the environment`), {
            name: "CredentialsProviderError",
            tryNextLink: true,
        });
    };
}

export const fromSSO = notBundled("SSO");
export const fromIni = notBundled("the shared config and credentials files");
export const fromProcess = notBundled("credential_process");
export const fromTokenFile = notBundled("a web identity token file");
