import Hummingbird

// Sign-in (magic link, optional password), sessions, CSRF, sign-out: SignIn/.
extension FrontlineConsole {
    func addSignInRoutes(to router: Router<BasicRequestContext>) {
    }
}

enum SignInTemplates {
    static let all: [String: String] = [:]
}
