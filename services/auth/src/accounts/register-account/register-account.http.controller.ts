import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { JoiPipe } from '@conveyor/platform';
import { accountView } from '../account.view';
import { RegisterAccountHandler } from './register-account.handler';
import { registerAccountRequest, type RegisterAccountRequest } from './register-account.request';

@Controller('v1/auth')
export class RegisterAccountHttpController {
  constructor(private readonly handler: RegisterAccountHandler) {}

  @Post('register')
  @ApiResponse({
    status: 201,
    description: 'The account; a confirmation mail is on its way.',
    example: { id: '0b6c8f4e-3d1a-4c7e-9f0a-2b5d6e7f8a9b', email: 'ada@example.com', name: 'Ada', createdAt: '2025-01-15T09:30:00.000Z' },
  })
  @HttpCode(201)
  async register(@Body(new JoiPipe(registerAccountRequest)) body: RegisterAccountRequest) {
    return accountView(await this.handler.execute(body));
  }
}
